"""The emulator as tasks see it: a ``Device`` that takes screenshots and sends touches.

``AdbDevice`` drives a real emulator over ADB (TCP, e.g. MuMu on 127.0.0.1:7555, or
host.docker.internal from a container). ``SimulatedDevice`` has the same interface and
serves frames from a folder (or generated pictures): tests and placeholder tasks use it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

WIDTH, HEIGHT = 1280, 720
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")

Frame = np.ndarray  # HxWx3 uint8, BGR (OpenCV order), 720x1280


class DeviceError(RuntimeError):
    """The device did not answer or answered something unreadable."""


class Device(Protocol):
    def screencap(self) -> Frame:
        """The current screen as a 720x1280 BGR image."""
        ...

    def tap(self, x: int, y: int) -> None: ...

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None: ...


def to_screen(image: Frame) -> Frame:
    """Any picture as a 720x1280 BGR frame (the size every model and coordinate assumes)."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[:2] != (HEIGHT, WIDTH):
        image = cv2.resize(image, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image, dtype=np.uint8)


def image_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def generated_frame(n: int) -> Frame:
    """A picture that changes with ``n`` (hue sweep + frame number): something to look at
    and to measure colours on when no screenshots are available."""
    hue = np.uint8((n * 7) % 180)
    x = np.linspace(0, 255, WIDTH, dtype=np.uint8)
    hsv = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    hsv[..., 0] = hue
    hsv[..., 1] = x[None, :]
    hsv[..., 2] = np.linspace(80, 255, HEIGHT, dtype=np.uint8)[:, None]
    frame = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    cv2.putText(frame, f"simulated frame {n}", (40, 90), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (255, 255, 255), 4)
    return np.ascontiguousarray(frame)


@dataclass
class SimulatedDevice:
    """Frames from ``folder`` in name order, cycling (generated ones when it has none);
    touches are recorded in ``actions``."""

    folder: Path | None = None
    actions: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.files = image_files(self.folder) if self.folder is not None else []

    @property
    def current_file(self) -> Path | None:
        return self.files[(self.count - 1) % len(self.files)] if self.files and self.count else None

    def screencap(self) -> Frame:
        n = self.count
        self.count += 1
        if not self.files:
            return generated_frame(n)
        path = self.files[n % len(self.files)]
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceError(f"cannot read image {path}")
        return to_screen(image)

    def tap(self, x: int, y: int) -> None:
        self.actions.append(("tap", (x, y)))

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None:
        self.actions.append(("swipe", (x1, y1, x2, y2, duration_ms)))


Runner = Callable[[Sequence[str], float], bytes]


def run_command(argv: Sequence[str], timeout: float) -> bytes:
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise DeviceError(f"{argv[0]} not found: install Android platform-tools (adb)") from exc
    except subprocess.TimeoutExpired as exc:
        raise DeviceError(f"{' '.join(argv)} timed out after {timeout:g} s") from exc
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip()
        raise DeviceError(f"{' '.join(argv)} failed ({done.returncode}): {err}")
    return done.stdout


@dataclass
class AdbDevice:
    """An Android device or emulator over ADB; ``serial`` is ``host:port`` for TCP."""

    serial: str = "127.0.0.1:7555"
    adb: str = "adb"
    timeout_s: float = 10.0
    runner: Runner = run_command

    def _argv(self, *args: str) -> list[str]:
        return [self.adb, "-s", self.serial, *args]

    def connect(self) -> None:
        out = self.runner([self.adb, "connect", self.serial], self.timeout_s).decode(errors="replace")
        if "connected" not in out or "cannot" in out or "failed" in out:
            raise DeviceError(f"adb connect {self.serial}: {out.strip()}")

    def screencap(self) -> Frame:
        png = self.runner(self._argv("exec-out", "screencap", "-p"), self.timeout_s)
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceError(f"screencap from {self.serial} returned {len(png)} bytes that are not an image")
        if image.shape[0] > image.shape[1]:  # portrait framebuffer: the game runs landscape
            image = cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
        return to_screen(image)

    def tap(self, x: int, y: int) -> None:
        self.runner(self._argv("shell", "input", "tap", str(int(x)), str(int(y))), self.timeout_s)

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None:
        argv = self._argv("shell", "input", "swipe", *(str(int(v)) for v in (x1, y1, x2, y2, duration_ms)))
        self.runner(argv, self.timeout_s)
