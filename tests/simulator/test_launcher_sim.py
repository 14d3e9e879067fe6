"""``autobang up`` with ``AUTOBANG_DEVICE=sim``: the launcher starts the simulated game,
points the workers at it over ADB, and stops it with everything else."""

from __future__ import annotations

import json
from pathlib import Path

import adbutils
import pytest

from services.launcher import free_port
from services.testing.stack import start_stack

pytestmark = pytest.mark.stack


def test_up_starts_and_stops_the_simulator(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "data", free_port(), test_bodies=False, env={"AUTOBANG_DEVICE": "sim"})
    try:
        info = json.loads((tmp_path / "data" / "run" / "launcher.json").read_text())
        assert info["device"].startswith("adb://127.0.0.1:")
        port = int(info["device"].rsplit(":", 1)[1])
        d = adbutils.AdbClient("127.0.0.1", port).device()
        assert d.shell("getprop ro.product.model") == "AutoBangSim"
        sim_pid = int(info["children"]["simulator"])
        worker_env = Path(f"/proc/{info['children']['worker:scriptor']}/environ").read_bytes().split(b"\0")
        assert f"AUTOBANG_DEVICE=adb://127.0.0.1:{port}".encode() in worker_env
        assert b"AUTOBANG_DEVICE_SIMULATED=1" in worker_env
    finally:
        stack.stop()
    assert not Path(f"/proc/{sim_pid}").exists() or b"zombie" in Path(f"/proc/{sim_pid}/status").read_bytes()
    report = json.loads((tmp_path / "data" / "simulator" / "report.json").read_text())
    assert report["serial"] == "emulator-5554"
