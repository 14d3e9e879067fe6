"""Helpers shared by the device tests: test pictures, the raw screencap the device sends,
settings for a device test, and a wait for what a background thread does."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from services.testing.stack import WAIT_S
from shared.settings import Settings


def pattern(height: int = 720, width: int = 1280) -> np.ndarray:
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]  # blue ramp left to right
    img[: height // 2, :, 2] = 200  # red top half
    return img


def raw_screencap(bgr: np.ndarray, *, colour_space: bool = True, fmt: int = 1) -> bytes:
    h, w = bgr.shape[:2]
    pixels = (
        cv2.cvtColor(bgr, cv2.COLOR_BGR2RGBA).tobytes()
        if fmt == 1
        else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).tobytes()
    )
    header = struct.pack("<IIII", w, h, fmt, 1) if colour_space else struct.pack("<III", w, h, fmt)
    return header + pixels


def settings(tmp_path: Path, **values: object) -> Settings:
    values.setdefault("device_timeout_s", 5.0)
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something a background thread does (generous: the machine is shared)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen in {WAIT_S:g} s"
        time.sleep(0.02)
