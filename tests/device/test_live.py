"""The dashboard's live screen: one shared, rate-limited capture for every viewer, plain
errors and a reopened device; and ``/api/device`` on the running product."""

from __future__ import annotations

from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from services.gateway.routes.device import hint_for
from services.testing.stack import Stack
from shared.device import Device, DeviceError, NoDevice
from shared.device.live import LiveScreen
from shared.device.pictures import PictureDevice
from shared.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_viewers_share_one_capture_per_interval() -> None:
    clock, device = Clock(), PictureDevice(None)
    screen = LiveScreen(lambda: device, interval_s=0.5, clock=clock)
    first = screen.shot()
    assert screen.shot(width=320).taken == first.taken and screen.captures == 1  # cached frame
    small = cv2.imdecode(np.frombuffer(screen.shot(width=320).jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert small is not None and small.shape == (180, 320, 3)
    clock.now += 0.5
    assert screen.shot().taken == 100.5 and screen.captures == 2 and device.count == 2
    assert first.info.simulated


def test_errors_are_kept_in_words_and_the_device_is_reopened_later() -> None:
    clock = Clock()
    opened: list[Device] = []

    def opener() -> Device:
        if len(opened) == 0 and clock.now < 105:
            raise NoDevice(
                "no emulator at 127.0.0.1:7555: start MuMu, enable ADB, or set AUTOBANG_DEVICE=sim"
            )
        opened.append(PictureDevice(None))
        return opened[-1]

    screen = LiveScreen(opener, retry_s=3.0, clock=clock)
    info, error = screen.status()
    assert info is None and error.startswith("no emulator at 127.0.0.1:7555")
    clock.now += 1  # within retry_s: the error is reported again without another attempt
    with pytest.raises(DeviceError, match="no emulator"):
        screen.shot()
    clock.now += 5
    info, error = screen.status()
    assert info is not None and error == "" and len(opened) == 1
    assert screen.shot().jpeg[:2] == b"\xff\xd8"


def test_hints_say_what_to_do(tmp_path: Path) -> None:
    adb = hint_for(Settings(data_dir=tmp_path, device="adb", mumu_port=16384), "")
    assert "start MuMu with ADB enabled (port 16384)" in adb and "AUTOBANG_DEVICE=sim scripts/up" in adb
    assert "AUTOBANG_DEVICE=sim" in hint_for(Settings(data_dir=tmp_path, device="adb://127.0.0.1:1"), "")
    assert "set AUTOBANG_DEVICE to" in hint_for(Settings(data_dir=tmp_path, device="mumu"), "")


def test_the_gateway_reports_the_device_and_serves_its_screen(stack: Stack) -> None:
    # AUTOBANG_DEVICE=sim: the launcher started the simulated game and handed its adb:// on.
    status = httpx.get(f"{stack.url}/api/device", timeout=30).json()
    assert status["spec"].startswith("adb://127.0.0.1:") and status["connected"] and status["simulated"]
    assert status["emulator"] == "the simulated game" and status["error"] == ""
    resp = httpx.get(f"{stack.url}/api/device/screen", params={"width": 640}, timeout=30)
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/jpeg"
    assert resp.headers["x-device-simulated"] == "1" and resp.headers["cache-control"] == "no-store"
    img = cv2.imdecode(np.frombuffer(resp.content, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape == (360, 640, 3)
    assert resp.headers["x-device-capture"] == "raw"  # polled once a second: no stream for it
    bad = httpx.get(f"{stack.url}/api/device/screen", params={"width": 5}, timeout=30)
    assert bad.status_code == 422
