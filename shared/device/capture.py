"""Screen capture backends over an ADB transport, and the pure parsing behind them.

- ``png``: ``exec:screencap -p`` (the device encodes a PNG: small to move, slow to make).
- ``raw``: ``exec:screencap`` (no encoding on the device): a header (width, height, pixel
  format and, since Android 9, a colour-space word) and then the pixels.
- ``stream``: ``screenrecord`` H.264 decoded here (``shared.device.stream``).

A backend returns a checked frame or raises ``BadFrame``; it never returns a black picture.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from shared.device.errors import BadFrame
from shared.device.frame import Frame, checked_screen, decode_image

CAPTURE_NAMES = ("png", "raw", "stream")

# Android's PixelFormat codes as screencap writes them: bytes per pixel, OpenCV conversion.
PIXEL_FORMATS: dict[int, tuple[str, int, int]] = {
    1: ("RGBA_8888", 4, cv2.COLOR_RGBA2BGR),
    2: ("RGBX_8888", 4, cv2.COLOR_RGBA2BGR),
    3: ("RGB_888", 3, cv2.COLOR_RGB2BGR),
    4: ("RGB_565", 2, cv2.COLOR_BGR5652BGR),
    5: ("BGRA_8888", 4, cv2.COLOR_BGRA2BGR),
}

ExecOut = Callable[[str], bytes]  # run an exec: command, return everything it wrote
ExecTimed = Callable[[str], tuple[bytes, float]]  # the same, and when its first byte came


def raw_size(data: bytes) -> tuple[int, int] | None:
    """The width and height a raw screencap's header names (None when there is none)."""
    if len(data) < 12:
        return None
    width, height = struct.unpack_from("<II", data)
    return (width, height) if 0 < width <= 8192 and 0 < height <= 8192 else None


def parse_raw(data: bytes, source: str = "screencap") -> Frame:
    """Decode ``screencap`` without ``-p``: ``BadFrame`` for a short, odd or black one."""
    if len(data) < 12:
        raise BadFrame(f"{source}: {len(data)} bytes, not even a raw screencap header")
    width, height, fmt = struct.unpack_from("<III", data)
    if fmt not in PIXEL_FORMATS:
        raise BadFrame(f"{source}: unknown pixel format {fmt} ({width}x{height})")
    name, bpp, conversion = PIXEL_FORMATS[fmt]
    if not (0 < width <= 8192 and 0 < height <= 8192):
        raise BadFrame(f"{source}: implausible size {width}x{height}")
    pixels = width * height * bpp
    # 12-byte header before Android 9, 16 (a colour-space word) since; trailing bytes are
    # tolerated, missing ones are not.
    header = 16 if len(data) >= 16 + pixels else 12
    if len(data) < header + pixels:
        raise BadFrame(
            f"{source}: truncated raw screencap: {len(data) - 12} of {pixels} pixel bytes "
            f"for {width}x{height} {name}"
        )
    raw = np.frombuffer(data, np.uint8, count=pixels, offset=header)
    return checked_screen(cv2.cvtColor(raw.reshape(height, width, bpp), conversion), source)


class Capture(Protocol):
    name: str

    def grab(self) -> Frame: ...

    def close(self) -> None: ...


def _timed(exec_out: ExecOut) -> ExecTimed:
    return lambda command: (exec_out(command), time.monotonic())


class PngCapture:
    name = "png"

    def __init__(self, exec_out: ExecOut, timed: ExecTimed | None = None) -> None:
        self._exec = exec_out
        self._timed = timed or _timed(exec_out)

    def grab(self) -> Frame:
        return decode_image(self._exec("screencap -p"), "screencap -p")

    def grab_timed(self) -> tuple[Frame, float]:
        """The frame and when its answer began (the screen was read before that)."""
        data, first = self._timed("screencap -p")
        return decode_image(data, "screencap -p"), first

    def close(self) -> None:
        pass


class RawCapture:
    name = "raw"

    def __init__(self, exec_out: ExecOut, timed: ExecTimed | None = None) -> None:
        self._exec = exec_out
        self._timed = timed or _timed(exec_out)

    def grab(self) -> Frame:
        return parse_raw(self._exec("screencap"), "screencap")

    def grab_timed(self) -> tuple[Frame, float]:
        """The frame and when its answer began (the screen was read before that)."""
        data, first = self._timed("screencap")
        return parse_raw(data, "screencap"), first

    def close(self) -> None:
        pass
