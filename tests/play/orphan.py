"""A caller that starts a long song and is then killed (tests/play/test_send.py)."""

from __future__ import annotations

import sys
import time

from services.scriptor.play import compile_chart
from services.scriptor.play.player import Player
from services.testing.charts import chart

if __name__ == "__main__":
    plan = compile_chart(
        chart({"type": "Long", "connections": [{"beat": 0, "lane": 2}, {"beat": 120, "lane": 2}]})
    )
    with Player(sys.argv[1]) as player:
        print("ready", flush=True)
        player.play(plan, time.monotonic() + 0.2)  # a 60 s hold; the test kills us during it
