"""``PictureDevice``: what ``sim`` gives without a running simulator, and the frames tests
and placeholder tasks use."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.device import BadFrame, DeviceError
from shared.device.pictures import PictureDevice


def png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return bytes(buf.tobytes())


def test_pictures_in_name_order_resized_and_unreadable_ones_reported(tmp_path: Path) -> None:
    (tmp_path / "b.png").write_bytes(png(np.full((360, 640, 3), (0, 0, 255), np.uint8)))
    (tmp_path / "a.jpg").write_bytes(b"")  # unreadable files are reported, not skipped silently
    (tmp_path / "c.png").write_bytes(png(np.full((720, 1280, 3), (255, 0, 0), np.uint8)))
    dev = PictureDevice(tmp_path)
    assert [p.name for p in dev.files] == ["a.jpg", "b.png", "c.png"]
    with pytest.raises(BadFrame, match=r"a\.jpg"):
        dev.screencap()
    red = dev.screencap()
    assert red.shape == (720, 1280, 3) and red.dtype == np.uint8
    assert tuple(int(v) for v in red[10, 10]) == (0, 0, 255)
    assert tuple(int(v) for v in dev.screencap()[10, 10]) == (255, 0, 0)
    assert dev.current_file is not None and dev.current_file.name == "c.png"
    info = dev.info
    assert info.simulated and info.capture == "pictures" and "3 pictures" in info.detail


def test_pictures_record_input_and_the_game(tmp_path: Path) -> None:
    dev = PictureDevice(tmp_path / "missing", package="com.x")
    a, b = dev.screencap(), dev.screencap()
    assert a.shape == b.shape == (720, 1280, 3) and not np.array_equal(a, b)  # generated, changing
    assert dev.foreground_app() == "com.x"
    dev.tap(1, 2)
    dev.swipe(1, 2, 3, 4, 300)
    dev.back()
    dev.stop_game()
    assert dev.foreground_app() == ""
    dev.start_game()
    assert dev.foreground_app() == "com.x"
    assert dev.actions == [
        ("tap", (1, 2)),
        ("swipe", (1, 2, 3, 4, 300)),
        ("back", ()),
        ("stop_game", ()),
        ("start_game", ()),
    ]
    with pytest.raises(DeviceError, match="no multitouch"):
        dev.touch()
