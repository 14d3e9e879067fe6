"""The scriptor through the real stack against the simulated game: gateway, worker, ADB
protocol, UI classifier, song recogniser, play engine, result reader, history. One full
cycle in Free mode: main page -> song select -> ready -> play -> result -> history."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from services.testing.free_play import CUT_S, SCENARIO, SONG
from services.testing.simgame import start_sim_stack
from services.testing.stack import Stack, start, wait_state

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("scriptor-sim")
    # The chart fetched and the song's title added (as add_song would): the recogniser knows it.
    stack = start_sim_stack(root, [(SONG, 3)], CUT_S, SCENARIO)
    yield stack
    stack.stop()


def test_one_free_play_is_recognised_played_read_and_recorded(sim_stack: Stack) -> None:
    url = sim_stack.url
    config = {"mode": "Free", "level": "Expert", "is_repeat": False, "correction_time": 0}
    start(url, "scriptor", "start_scriptor", config)
    done = wait_state(url, "scriptor", lambda s: s["status"] in ("finished", "failed"), 240, sim_stack.log)
    assert done["status"] == "finished", done
    rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["song_id"] == SONG and row["difficulty"] == "expert" and row["simulated"] and row["cleared"]
    report = json.loads((sim_stack.data_dir / "simulator" / "report.json").read_text())
    judged = report["plays"][-1]
    assert judged["song"] == SONG and judged["touches"] > 0
    # What the scriptor read off the result screen is what the simulator judged.
    for k in ("perfect", "great", "good", "bad", "miss"):
        assert row["counts"][k] == judged["counts"][k], (row, judged)
    assert (row["fast"], row["slow"]) == (judged["counts"]["fast"], judged["counts"]["slow"])
    assert row["max_combo"] == judged["counts"]["max_combo"], (row, judged)
    # The result screen names the song played (its title, difficulty and level).
    assert row["result_song_id"] == SONG and row["result_title"], row
    # Played, not just pressed: the great majority of the cut's notes were hit.
    assert judged["counts"]["miss"] <= 0.1 * judged["notes"], judged
