"""A running simulated emulator (ADB server + touch servers) on a background event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from services.simulator.emulator import Emulator, Renderer
from services.simulator.game import GameView
from services.simulator.scenario import Delays, Scenario
from shared.screens import UI_STATES

T = TypeVar("T")


class Running:
    """An emulator served on its own loop thread; ``call`` runs a function on that loop."""

    def __init__(self, emu: Emulator, loop: asyncio.AbstractEventLoop) -> None:
        self.emu = emu
        self.loop = loop

    @property
    def port(self) -> int:
        return self.emu.adb.port

    def call(self, fn: Callable[[], T]) -> T:
        fut: Future[T] = Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return fut.result(10)


def start_emulator(scenario: Scenario, data_dir: Path, renderer: Renderer | None = None) -> Iterator[Running]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emu = Emulator(scenario, data_dir, renderer=renderer)
    asyncio.run_coroutine_threadsafe(emu.start(0), loop).result(10)
    try:
        yield Running(emu, loop)
    finally:
        asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def state_colour(view: GameView) -> np.ndarray:
    """A stand-in picture: one grey level per state (the protocol tests need frames that
    change with the game, not the game's drawings)."""
    level = 8 + 7 * (UI_STATES.index(view.state) if view.state in UI_STATES else 34)
    return np.full((720, 1280, 3), level, np.uint8)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Running]:
    yield from start_emulator(Scenario(seed=1, delays=Delays(app_start=0)), tmp_path, state_colour)
