"""``LiveScreen``: one shared, rate-limited view of the device for many readers (the
dashboard's live screen in several browsers costs one capture per interval, not one per
browser). It opens the device lazily, reopens it after an error (not more often than
``retry_s``) and keeps the last error in plain words. Clock and opener are injected."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.device.base import Device, DeviceInfo
from shared.device.errors import DeviceError
from shared.device.frame import Frame, encode_jpeg

SIM_HINT = "to play against the simulated game instead, start the product with AUTOBANG_DEVICE=sim scripts/up"


@dataclass(frozen=True)
class Shot:
    jpeg: bytes
    taken: float  # clock() when captured
    info: DeviceInfo


class LiveScreen:
    def __init__(
        self,
        opener: Callable[[], Device],
        *,
        interval_s: float = 0.5,
        retry_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open = opener
        self._interval = interval_s
        self._retry = retry_s
        self._clock = clock
        self._lock = threading.Lock()  # one capture (or open) at a time; the others reuse it
        self._device: Device | None = None
        self._frame: Frame | None = None
        self._taken = float("-inf")
        self._jpegs: dict[int | None, bytes] = {}
        self._error = ""
        self._failed_at = float("-inf")
        self.captures = 0  # how many times the device was actually read

    def _device_or_error(self) -> Device | None:
        if self._device is None:
            if self._clock() - self._failed_at < self._retry:
                return None  # failed a moment ago: keep the error, do not hammer the device
            try:
                self._device = self._open()
                self._error = ""
            except DeviceError as exc:
                self._fail(str(exc))
        return self._device

    def _fail(self, error: str) -> None:
        self._error = error
        self._failed_at = self._clock()
        if self._device is not None:
            with contextlib.suppress(DeviceError):
                self._device.close()
            self._device = None

    def status(self) -> tuple[DeviceInfo | None, str]:
        """The device's info (None when it cannot be reached) and the last error ("")."""
        with self._lock:
            device = self._device_or_error()
            return (device.info if device is not None else None), self._error

    def shot(self, width: int | None = None) -> Shot:
        """The newest frame as JPEG (``width`` px wide when smaller than 1280); at most one
        capture per ``interval_s`` whoever asks. Raises ``DeviceError`` with the reason."""
        with self._lock:
            now = self._clock()
            if self._frame is None or now - self._taken >= self._interval:
                device = self._device_or_error()
                if device is None:
                    raise DeviceError(self._error)
                try:
                    frame = device.screencap()
                except DeviceError as exc:
                    self._fail(str(exc))
                    raise
                self.captures += 1
                self._frame, self._taken, self._jpegs = frame, now, {}
            assert self._device is not None and self._frame is not None
            jpeg = self._jpegs.get(width)
            if jpeg is None:
                jpeg = self._jpegs[width] = encode_jpeg(self._frame, width)
            return Shot(jpeg, self._taken, self._device.info)

    def close(self) -> None:
        with self._lock:
            if self._device is not None:
                self._device.close()
                self._device = None
