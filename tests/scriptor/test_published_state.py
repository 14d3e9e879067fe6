"""What the loop publishes for the dashboard's Scriptor panel: the screen, the cycle and
whether the song fields belong to a play in progress (``in_play``) or to the last one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.scriptor.loop import Scriptor
from services.simulator.screens import ResultCounts
from tests.scriptor.loop_helpers import ScriptedDevice, ctx_of, make


def published(s: Scriptor) -> dict[str, Any]:
    """The module's state fields as the dashboard sees them: each call merges into them."""
    merged: dict[str, Any] = {}
    for fields in ctx_of(s).states:
        merged.update(fields)
    return merged


def test_in_play_is_true_from_ready_until_the_result_is_recorded(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)
    s.cycle()
    first = published(s)
    assert first["screen"] == "main_page" and first["cycle"] == 1 and first["in_play"] is False
    dev.state = "ready"
    s.cycle()  # song recognised, start pressed
    ready = published(s)
    assert ready["in_play"] is True and ready["song_id"] == 1 and ready["difficulty"] == "expert"
    assert s.pending is not None
    notes = s.pending.chart.note_count
    s.cycle()  # playing
    assert published(s)["in_play"] is True
    dev.state = "award"
    dev.result = ResultCounts(perfect=notes, great=0, good=0, bad=0, miss=0, fast=0, slow=0)
    s.cycle()  # result read and recorded: a run that ends here publishes no further cycle
    after = published(s)
    assert after["in_play"] is False and after["plays"] == 1
    assert after["song_id"] == 1  # the last song stays named, as the last one
    s.cycle()
    assert published(s)["in_play"] is False
