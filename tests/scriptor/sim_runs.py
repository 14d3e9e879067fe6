"""One scriptor run through the real stack against a simulated game, and the check that
it played: shared by the stack tests of the flows and of the right song."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from services.testing.simgame import Simulator, task_log
from services.testing.stack import Stack, start, wait_state

TWIN = 676  # オレンジ like 316; expert level 26 (316: 25); not in the shipped catalog
EXTRA = {str(TWIN): {"title": "オレンジ", "levels": {"3": 26}}}
BASE = {"correction_time": 0, "is_repeat": False, "level": "Expert"}


@dataclass
class Game:
    stack: Stack
    port: int

    def run(self, scenario: dict[str, Any], config: dict[str, Any]) -> Run:
        """A fresh simulated game with ``scenario``; one scriptor run with ``config``."""
        sim = Simulator({"extra_songs": EXTRA, **scenario}, self.port, self.stack.data_dir)
        try:
            return self.again(sim, config)
        finally:
            sim.stop()

    def again(self, sim: Simulator, config: dict[str, Any]) -> Run:
        """One more scriptor run on the game ``sim`` is in now."""
        url = self.stack.url
        before = len(httpx.get(f"{url}/api/scriptor/history", timeout=10).json())
        start(url, "scriptor", "start_scriptor", {**BASE, **config})

        def log() -> str:
            lines = "\n".join(task_log(self.stack.redis_url, last=60))
            return f"{lines}\n--- simulator ---\n{sim.log()[-1500:]}"

        done = wait_state(url, "scriptor", lambda s: s["status"] in ("finished", "failed"), 240, log)
        assert done["status"] == "finished", (done, log())
        rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()[before:]
        return Run(done, rows, sim.report(), task_log(self.stack.redis_url, last=150))


@dataclass
class Run:
    state: dict[str, Any]  # the scriptor's state when it ended
    rows: list[dict[str, Any]]  # history rows the run added
    report: dict[str, Any]  # the simulator's report
    log: list[str]  # the scriptor's last log lines

    def __str__(self) -> str:  # what a failed assertion shows
        return "\n".join(self.log)


def assert_played(run: Run, song: int, difficulty: str, mode: str, play: int = -1, row: int = 0) -> None:
    """The history row is the song and difficulty played, and its counts are what the
    simulator judged."""
    r = run.rows[row]
    judged = run.report["plays"][play]
    assert (r["song_id"], r["difficulty"], r["mode"]) == (song, difficulty, mode), f"{r}\n{run}"
    assert judged["song"] == song and judged["touches"] > 0, judged
    assert r["simulated"] and r["cleared"], r
    for k in ("perfect", "great", "good", "bad", "miss"):
        assert r["counts"][k] == judged["counts"][k], (r, judged)
    assert (r["fast"], r["slow"]) == (judged["counts"]["fast"], judged["counts"]["slow"])
    assert r["max_combo"] == judged["counts"]["max_combo"], (r, judged)
    # The result screen (the co-op card in rooms) names the song played: title + level.
    assert r["result_song_id"] == song, r
    # Played, not just pressed: the great majority of the notes were hit.
    assert judged["counts"]["miss"] <= 0.1 * judged["notes"], judged
