"""The device layer: the simulated device, and the ADB device at its command seam (no
hardware here: the runner that would call ``adb`` is replaced, everything else is real)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.device import AdbDevice, DeviceError, SimulatedDevice, run_command


def png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return bytes(buf.tobytes())


def test_simulated_device_serves_folder_frames_in_order_resized(tmp_path: Path) -> None:
    (tmp_path / "b.png").write_bytes(png(np.full((360, 640, 3), (0, 0, 255), np.uint8)))
    (tmp_path / "a.jpg").write_bytes(b"")  # unreadable files are reported, not skipped silently
    (tmp_path / "c.png").write_bytes(png(np.full((720, 1280, 3), (255, 0, 0), np.uint8)))
    dev = SimulatedDevice(tmp_path)
    assert [p.name for p in dev.files] == ["a.jpg", "b.png", "c.png"]
    with pytest.raises(DeviceError, match=r"a\.jpg"):
        dev.screencap()
    red = dev.screencap()
    assert red.shape == (720, 1280, 3) and red.dtype == np.uint8
    assert tuple(int(v) for v in red[10, 10]) == (0, 0, 255)
    assert tuple(int(v) for v in dev.screencap()[10, 10]) == (255, 0, 0)
    assert dev.current_file is not None and dev.current_file.name == "c.png"
    dev.tap(1, 2)
    dev.swipe(1, 2, 3, 4, 300)
    assert dev.actions == [("tap", (1, 2)), ("swipe", (1, 2, 3, 4, 300))]


def test_simulated_device_generates_changing_frames_without_a_folder(tmp_path: Path) -> None:
    dev = SimulatedDevice(tmp_path / "missing")
    a, b = dev.screencap(), dev.screencap()
    assert a.shape == b.shape == (720, 1280, 3)
    assert not np.array_equal(a, b)


class FakeAdb:
    """Stands in for the adb binary: records argv, answers like adb does."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        self.calls: list[list[str]] = []
        self.answers = answers

    def __call__(self, argv: Sequence[str], timeout: float) -> bytes:
        self.calls.append(list(argv))
        for key, value in self.answers.items():
            if key in argv:
                return value
        return b""


def test_adb_device_builds_commands_and_parses_screencaps() -> None:
    portrait = np.zeros((1280, 720, 3), np.uint8)
    portrait[0, 719] = (0, 255, 0)  # top-right of portrait -> top-left after turning landscape
    fake = FakeAdb({"screencap": png(portrait), "connect": b"connected to 127.0.0.1:7555\n"})
    dev = AdbDevice(serial="127.0.0.1:7555", adb="/opt/adb", runner=fake)
    dev.connect()
    frame = dev.screencap()
    dev.tap(100.7, 200)  # type: ignore[arg-type]
    dev.swipe(1, 2, 3, 4, 150)
    assert fake.calls == [
        ["/opt/adb", "connect", "127.0.0.1:7555"],
        ["/opt/adb", "-s", "127.0.0.1:7555", "exec-out", "screencap", "-p"],
        ["/opt/adb", "-s", "127.0.0.1:7555", "shell", "input", "tap", "100", "200"],
        ["/opt/adb", "-s", "127.0.0.1:7555", "shell", "input", "swipe", "1", "2", "3", "4", "150"],
    ]
    assert frame.shape == (720, 1280, 3)
    assert tuple(int(v) for v in frame[0, 0]) == (0, 255, 0)


def test_adb_device_reports_garbage_and_failed_connects() -> None:
    dev = AdbDevice(
        runner=FakeAdb(
            {"screencap": b"error: device offline", "connect": b"cannot connect to 127.0.0.1:7555"}
        )
    )
    with pytest.raises(DeviceError, match="not an image"):
        dev.screencap()
    with pytest.raises(DeviceError, match="cannot connect"):
        dev.connect()


def test_run_command_errors_are_readable(tmp_path: Path) -> None:
    with pytest.raises(DeviceError, match="not found"):
        run_command([str(tmp_path / "no-adb"), "devices"], 5)
    with pytest.raises(DeviceError, match="failed"):
        run_command(["sh", "-c", "echo boom >&2; exit 3"], 5)
    assert run_command(["sh", "-c", "printf ok"], 5) == b"ok"
