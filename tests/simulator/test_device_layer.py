"""The project's own device layer (``shared.device``) drives the simulator exactly as it
drives an emulator: ``AUTOBANG_DEVICE=adb://127.0.0.1:PORT``."""

from __future__ import annotations

import pytest

from services.testing.faults import wait_until
from shared.device.factory import open_device
from shared.settings import Settings
from tests.simulator.conftest import Running


@pytest.mark.parametrize("capture", ["png", "raw", "stream"])
def test_device_layer_against_the_simulator(sim: Running, capture: str) -> None:
    settings = Settings(device=f"adb://127.0.0.1:{sim.port}", capture=capture)
    dev = open_device(settings)
    try:
        assert dev.info.simulated and dev.info.serial == "emulator-5554"
        frame = dev.screencap()
        assert frame.shape == (720, 1280, 3)
        assert dev.foreground_app() == "com.bilibili.star.bili"
        dev.tap(1120, 640)
        assert sim.call(lambda: sim.emu.game.state) == "playmode"
        dev.back()
        assert sim.call(lambda: sim.emu.game.state) == "main_page"
        dev.stop_game()
        assert dev.foreground_app() == "com.android.launcher3"
        dev.start_game()
        assert dev.foreground_app() == "com.bilibili.star.bili"
        wait_until(lambda: sim.call(lambda: sim.emu.game.view(sim.emu.clock()).state) == "main_page")
        touch = dev.touch()
        touch.down(0, 1120, 640)
        touch.commit()
        touch.up(0)
        touch.commit()
        wait_until(lambda: sim.call(lambda: sim.emu.game.state) == "playmode")
        touch.close()
        assert sim.emu.touch.violations == []
    finally:
        dev.close()
