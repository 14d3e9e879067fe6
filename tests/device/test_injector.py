"""Nothing to install by hand: against a simulated device with no injector running, the
device layer finds the ABI, pushes the shipped minitouch, starts it and plays through it;
the simulator runs a pushed program only as Android would (execute bit, the right CPU), and
when nothing can run the error names every try in order."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.simulator.scenario import Delays, Scenario
from shared.device import injector
from shared.device.adb import AdbDevice
from shared.device.errors import DeviceError
from shared.device.factory import open_device
from tests.device.helpers import settings, until
from tests.device.test_display import Recorder
from tests.device.test_simulator import screen
from tests.simulator.conftest import Running, start_emulator


def test_the_abi_answer_and_the_build_for_it() -> None:
    abi = injector.parse_abi("x86_64,x86,arm64-v8a,armeabi-v7a,armeabi\nx86_64\n32\n")
    assert abi.abis == ("x86_64", "x86", "arm64-v8a", "armeabi-v7a", "armeabi") and abi.sdk == 32
    assert injector.binary_for(abi).parent.name == "x86_64"
    assert injector.binary_for(injector.parse_abi("\narm64-v8a\n30\n")).parent.name == "arm64-v8a"
    assert set(injector.available()) == {"arm64-v8a", "armeabi-v7a", "x86", "x86_64"}
    with pytest.raises(LookupError, match="no minitouch build for mips, SDK 19"):
        injector.binary_for(injector.parse_abi("mips\n19\n"))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Running]:
    """A simulated emulator on which no injector runs (nothing set up by hand)."""
    scenario = Scenario(seed=1, delays=Delays(app_start=0), touch_preinstalled=False)
    yield from start_emulator(scenario, tmp_path / "sim", screen)


def open_sim(sim: Running, tmp_path: Path, **values: object) -> AdbDevice:
    device = open_device(settings(tmp_path, device=f"adb://127.0.0.1:{sim.port}", **values))
    assert isinstance(device, AdbDevice)
    return device


def test_minitouch_is_pushed_started_and_used(fresh: Running, tmp_path: Path) -> None:
    device = open_sim(fresh, tmp_path)
    assert fresh.emu.endpoint("localabstract:minitouch") is None and not fresh.emu.started
    url = device.touch_url()
    assert url.startswith("minitouch://127.0.0.1:") and device.info.touch == "minitouch"
    pushed = fresh.emu.files[injector.DEVICE_PATH]
    assert pushed == (injector.INJECTORS / "x86_64" / "minitouch").read_bytes()
    assert fresh.emu.modes[injector.DEVICE_PATH] & 0o111 and fresh.emu.started == {injector.SOCKET_NAME: 1}
    rec = Recorder(fresh)
    channel = device.touch()
    try:
        channel.down(0, 640, 360)
        channel.commit()
        channel.up(0)
        channel.commit()
    finally:
        channel.close()
    until(lambda: len(rec.points("minitouch")) >= 2, "the pushed minitouch's contact")
    device.close()  # its shell connection ends: the program ends, its socket goes
    until(lambda: not fresh.emu.started, "the started minitouch ended with the device")
    assert fresh.emu.endpoint(f"localabstract:{injector.SOCKET_NAME}") is None


def test_the_simulated_shell_runs_only_what_android_would(fresh: Running, tmp_path: Path) -> None:
    device = open_sim(fresh, tmp_path)
    arm = (injector.INJECTORS / "arm64-v8a" / "minitouch").read_bytes()
    x86 = (injector.INJECTORS / "x86_64" / "minitouch").read_bytes()
    device._dev.sync.push(x86, "/data/local/tmp/plain", mode=0o644)
    assert "Permission denied" in device.shell("/data/local/tmp/plain -n x")
    device._dev.sync.push(arm, "/data/local/tmp/arm", mode=0o755)
    assert "not executable: 64-bit ELF file, ARM aarch64" in device.shell("/data/local/tmp/arm -n x")
    assert "not found" in device.shell("/data/local/tmp/nothing")
    assert not fresh.emu.started
    device.close()


def test_when_nothing_can_run_the_error_names_each_try(
    fresh: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_arm = tmp_path / "injectors"
    (only_arm / "arm64-v8a").mkdir(parents=True)
    shutil.copy(injector.INJECTORS / "arm64-v8a" / "minitouch", only_arm / "arm64-v8a" / "minitouch")
    monkeypatch.setattr(injector, "INJECTORS", only_arm)  # a build the x86_64 device cannot run
    device = open_sim(fresh, tmp_path)
    with pytest.raises(DeviceError) as err:
        device.touch_url()
    said = str(err.value)
    order = [said.index(k) for k in ("bangcheater:", "minitouch:", "minitouch (pushed):")]
    assert order == sorted(order), said
    assert "not executable: 64-bit ELF file, ARM aarch64" in said and "set AUTOBANG_TOUCH" in said, said
    device.close()
