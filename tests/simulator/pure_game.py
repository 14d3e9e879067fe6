"""The simulated game as pure logic: a game built from a scenario with short delays, driven
by a fake clock (shared by the flow tests and the catalogue-transition tests)."""

from __future__ import annotations

from services.simulator.charts import ChartSource
from services.simulator.game import Game
from services.simulator.scenario import Delays, Scenario
from shared.config.scriptor import Event, Mode

FAST = Delays(app_start=0.5, loading=0.5, join_loading=0.5, join_wait=1.0, ready_done=0.5, award_loading=0.5)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self, dt: float = 0.0) -> float:
        self.t += dt
        return self.t


def make(mode: Mode = Mode.Free, event: Event = Event.Challenge, **kw: object) -> tuple[Game, Clock]:
    sc = Scenario.model_validate({"mode": mode, "event": event, "delays": FAST, "max_song_s": 4.0, **kw})
    clock = Clock()
    game = Game(sc, ChartSource(None, sc.max_song_s).load, clock())
    game.tick(clock(0.6))
    return game, clock
