"""Offsets per device through the real stack: the simulated game hides an input latency
(scenario ``input_latency_ms``, never told to the client), the scriptor starts with every
setting at its default (``correction_time`` -45 ms included), the user changes the offset
while the first song plays, and the plays find the offset on their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.testing.events import stop_and_wait
from services.testing.simgame import start_sim_stack
from services.testing.stack import Stack, start, wait_state

pytestmark = pytest.mark.stack

SONG = 316
CUT_S = 6.0
LATENCY_MS = 50.0
DEVICE = "sim:emulator-5554"
SCENARIO = {
    "seed": 5,
    "mode": "Free",
    "songs": [SONG],
    "difficulty": 3,
    "input_latency_ms": LATENCY_MS,
    "delays": {"app_start": 0.5, "loading": 0.3, "lead_in": 1.5, "after_song": 0.5, "award_loading": 0.3},
}


@pytest.fixture(scope="module")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("scriptor-offsets")
    stack = start_sim_stack(root, [(SONG, 3)], CUT_S, SCENARIO)
    yield stack
    stack.stop()


def rows(url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}/api/scriptor/history", timeout=10).json())


def test_an_offset_set_mid_song_plays_next_and_the_plays_learn_the_hidden_latency(sim_stack: Stack) -> None:
    url = sim_stack.url
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "is_repeat": True})
    # The first song is playing: the user sets the offset (the API the dashboard uses).
    wait_state(url, "scriptor", lambda s: s["fields"].get("screen") == "playing", 240, sim_stack.log)
    # -5 ms: still clearly late against the hidden 50 ms (45 ms: Good), so its result
    # teaches; a change landing near the Perfect edge (30 ms) would teach nothing.
    body = {"offset_ms": -5.0, "pinned": False}
    put = httpx.put(f"{url}/api/scriptor/offsets/{DEVICE}", json=body, timeout=10)
    assert put.status_code == 200, put.text
    wait_state(url, "scriptor", lambda s: len(rows(url)) >= 3 or s["status"] == "failed", 400, sim_stack.log)
    stop_and_wait(url, "scriptor")
    played = rows(url)[:3]
    assert len(played) == 3, played
    used = [r["correction_time_us"] for r in played]
    # 1: the simulated device's own default (0), not correction_time's -45 ms; the change
    # made during it plays next; 2's result (touches ~45 ms late) teaches the rest.
    assert used[:2] == [0, -5_000], used
    seen = [(r["note"], r["counts"], r["fast"], r["slow"]) for r in played]
    assert -LATENCY_MS * 1000 - 12_000 <= used[2] <= -LATENCY_MS * 1000 + 12_000, (used, seen)
    report = json.loads((sim_stack.data_dir / "simulator" / "report.json").read_text())
    judged = report["plays"][2]["counts"]
    assert judged["perfect"] >= 0.9 * report["plays"][2]["notes"], judged
    offsets = {d["device"]: d for d in httpx.get(f"{url}/api/scriptor/offsets", timeout=10).json()}
    moves = offsets[DEVICE]["moves"]
    assert any("set during the song" in m["why"] for m in moves), moves
    assert any(m["why"] == "learned" and m["used_us"] == -5_000 for m in moves), moves
