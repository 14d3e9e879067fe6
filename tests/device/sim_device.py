"""The simulated emulator as the device tests drive it: its drawing, and the commits its
game receives (in the game's 1280x720)."""

from __future__ import annotations

import numpy as np

from services.simulator.game import GameView
from services.simulator.screens import ScreenView, render
from services.simulator.touch_server import Commit
from shared.screens import UI_STATES
from tests.device.helpers import pattern
from tests.simulator.conftest import Running


def screen(view: GameView) -> np.ndarray:
    """The simulator's drawing of the game's screen (the launcher: a test pattern)."""
    if view.state in UI_STATES:
        return render(ScreenView(state=view.state, variants=view.variants))
    return pattern()


def near(p: tuple[float, float], q: tuple[float, float], tol: float = 1.0) -> bool:
    return abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol


class Recorder:
    """The game's commits (in its 1280x720) as the simulator hands them over."""

    def __init__(self, sim: Running) -> None:
        self.commits: list[Commit] = []
        game = sim.emu.game
        original = game.commit

        def record(c: Commit) -> None:
            self.commits.append(c)
            original(c)

        game.commit = record  # type: ignore[method-assign]

    def points(self, source: str) -> list[tuple[str, float, float]]:
        return [(e.kind, e.x, e.y) for c in self.commits if c.source == source for e in c.events]
