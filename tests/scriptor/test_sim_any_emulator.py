"""Any emulator, through the real stack. Nothing set up by hand: against a simulated
emulator on which no injector runs, the device layer pushes and starts minitouch and the
scriptor plays. Any 16:9 display: the scriptor with default settings against a simulated emulator at
1600x900 and 1920x1080 (frames at that size, ``wm size`` reporting it, taps and touches in
its pixels) plays a whole cycle; a 1280x1024 one is refused with the message that says what
to set. Every note is hit in its lane (a wrong scale lands in another lane: a miss); All
Perfect is what a calm machine gets (docs/device.md), but on this shared 2-core machine a
stall of the sender can cost a Perfect, as in test_sim_e2e, so the bound is that one's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.testing.simgame import Simulator, prepare_data, task_log
from services.testing.stack import Stack, start, start_stack, wait_state
from tests.conftest import free_port

pytestmark = pytest.mark.stack

SONG = 316
CUT_S = 6.0  # the first seconds of the chart
BASE = {"mode": "Free", "level": "Expert", "is_repeat": False}  # everything else the defaults


@dataclass
class Game:
    stack: Stack
    port: int

    def run(self, **scenario: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Simulator]:
        sim = Simulator({"mode": "Free", "songs": [SONG], **scenario}, self.port, self.stack.data_dir)
        url = self.stack.url
        try:
            before = len(httpx.get(f"{url}/api/scriptor/history", timeout=10).json())
            start(url, "scriptor", "start_scriptor", BASE)

            def log() -> str:
                lines = "\n".join(task_log(self.stack.redis_url, last=60))
                return f"{lines}\n--- simulator ---\n{sim.log()[-1500:]}"

            done = wait_state(url, "scriptor", lambda s: s["status"] in ("finished", "failed"), 240, log)
            rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()[before:]
        finally:
            sim.stop()
        return done, rows, sim


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Game]:
    data = tmp_path_factory.mktemp("scriptor-displays") / "data"
    prepare_data(data, [(SONG, 3)], CUT_S)
    port = free_port()
    env = {"AUTOBANG_DEVICE": f"adb://127.0.0.1:{port}", "AUTOBANG_DEVICE_SIMULATED": "1"}
    stack = start_stack(data, free_port(), env=env, test_bodies=False)
    yield Game(stack, port)
    stack.stop()


def assert_played(game: Game, done: dict[str, Any], rows: list[dict[str, Any]], sim: Simulator) -> None:
    assert done["status"] == "finished", (done, task_log(game.stack.redis_url, last=80))
    assert len(rows) == 1, rows
    judged = sim.report()["plays"][-1]
    why = "\n".join([str(judged), *task_log(game.stack.redis_url, last=60)])
    assert rows[0]["song_id"] == SONG and judged["song"] == SONG and judged["touches"] > 0, why
    assert rows[0]["cleared"] and judged["counts"]["miss"] <= 0.1 * judged["notes"], why
    assert rows[0]["device"] == "emulator-5554", rows[0]  # the row names its device


def test_with_no_injector_running_the_scriptor_plays_with_nothing_set_up(game: Game) -> None:
    done, rows, sim = game.run(touch_preinstalled=False)
    assert_played(game, done, rows, sim)
    assert "minitouch started on localabstract:autobang_minitouch" in sim.log(), sim.log()[-2000:]


@pytest.mark.parametrize("display", [(1600, 900), (1920, 1080)])
def test_a_16_9_display_of_any_size_plays(game: Game, display: tuple[int, int]) -> None:
    assert_played(game, *game.run(display=list(display)))


def test_a_display_that_is_not_16_9_is_refused_with_what_to_set(game: Game) -> None:
    done, rows, _ = game.run(display=[1280, 1024])
    assert done["status"] == "failed" and rows == [], done
    said = str(done) + "\n".join(task_log(game.stack.redis_url, last=40))
    assert "is 1280x1024 (5:4), not 16:9" in said and "1920x1080" in said, said
