"""The device layer against the real simulated game (services/simulator): the same ADB
path as MuMu, so this is the end-to-end check of capture, input and touch short of an
emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from services.simulator.game import GameView
from services.simulator.scenario import Delays, Scenario
from services.simulator.screens import ScreenView, render
from shared.device.adb import AdbDevice
from shared.device.benchmark import benchmark
from shared.device.factory import open_device
from shared.screens import UI_STATES
from tests.device.helpers import pattern, settings, until
from tests.simulator.conftest import Running, start_emulator

MAIN_PAGE_LIVE = (1120, 640)  # main_page's button (docs/domain.md section 4)


def screen(view: GameView) -> np.ndarray:
    """The simulator's drawing of the game's screen (the launcher: a test pattern)."""
    if view.state in UI_STATES:
        return render(ScreenView(state=view.state, variants=view.variants))
    return pattern()


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Running]:
    yield from start_emulator(Scenario(seed=1, delays=Delays(app_start=0)), tmp_path / "sim", screen)


def state(sim: Running) -> str:
    return str(sim.call(lambda: sim.emu.game.view(sim.emu.clock()).state))


def open_sim(sim: Running, tmp_path: Path, **values: object) -> AdbDevice:
    device = open_device(settings(tmp_path, device=f"adb://127.0.0.1:{sim.port}", **values))
    assert isinstance(device, AdbDevice)
    return device


def test_the_simulator_is_a_device_like_an_emulator(sim: Running, tmp_path: Path) -> None:
    device = open_sim(sim, tmp_path, capture="png")
    info = device.info
    assert info.simulated and info.serial == "emulator-5554" and info.emulator == "the simulated game"
    assert info.touch_latency_us == 0  # it says its own (its hidden input_latency_ms never)
    png = device.screencap()
    assert png.shape == (720, 1280, 3) and png.std() > 5  # a drawn screen, not a flat picture
    raw = open_sim(sim, tmp_path, capture="raw").screencap()
    assert np.array_equal(png, raw)  # both lossless, same screen
    stream = open_sim(sim, tmp_path, capture="stream")
    try:
        video = stream.screencap()
        assert np.abs(video.astype(int) - png.astype(int)).mean() < 8  # H.264 is lossy
    finally:
        stream.close()
    # The simulator notices the hang-up at its next frame; closing it before then cancels
    # its encoder mid-frame (a crash in libx264), so wait for its sessions to end.
    until(lambda: not sim.call(lambda: len(sim.emu.adb._tasks)), "the simulator's screenrecord session ended")


def test_input_and_the_game_through_the_simulator(sim: Running, tmp_path: Path) -> None:
    device = open_sim(sim, tmp_path)
    until(lambda: state(sim) == "main_page", "the main page")
    assert device.foreground_app() == "com.bilibili.star.bili"
    device.tap(*MAIN_PAGE_LIVE)
    until(lambda: state(sim) != "main_page", "leaving the main page after a tap")
    device.stop_game()
    until(lambda: device.foreground_app() != "com.bilibili.star.bili", "the game stopped")
    device.start_game()
    until(lambda: device.foreground_app() == "com.bilibili.star.bili", "the game started again")


def test_multitouch_through_adb_forward(sim: Running, tmp_path: Path) -> None:
    device = open_sim(sim, tmp_path)  # touch=auto: bangcheater first
    until(lambda: state(sim) == "main_page", "the main page")
    url = device.touch_url()
    assert url.startswith("bangcheater://127.0.0.1:") and device.info.touch == "bangcheater"
    channel = device.touch()
    try:
        channel.down(0, *MAIN_PAGE_LIVE)
        channel.commit()
        channel.up(0)
        channel.commit()
    finally:
        channel.close()
    until(lambda: state(sim) != "main_page", "leaving the main page after a multitouch tap")
    mini = open_sim(sim, tmp_path, touch="minitouch")
    assert mini.touch_url().startswith("minitouch://127.0.0.1:")
    mini.touch().close()
    device.close()
    mini.close()


def test_every_capture_backend_works_on_the_simulator(sim: Running, tmp_path: Path) -> None:
    device = open_sim(sim, tmp_path)
    results = benchmark(device, frames=3)
    until(lambda: not sim.call(lambda: len(sim.emu.adb._tasks)), "the simulator's screenrecord session ended")
    assert [(r.backend, r.ok, r.frames) for r in results] == [
        ("png", True, 3),
        ("raw", True, 3),
        ("stream", True, 3),
    ], [r.error for r in results]
    device.close()
