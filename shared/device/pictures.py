"""``PictureDevice``: frames from a folder in name order, cycling (generated pictures when
it has none); taps and swipes are recorded in ``actions``. What ``AUTOBANG_DEVICE=sim``
gives a worker that was not handed a running simulator, and what tests use for frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from shared.device.base import DeviceInfo
from shared.device.errors import BadFrame, DeviceError
from shared.device.frame import HEIGHT, WIDTH, Frame, image_files, to_screen

if TYPE_CHECKING:
    from shared.device.touch import TouchChannel


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
class PictureDevice:
    folder: Path | None = None
    spec: str = "sim"
    package: str = "com.bilibili.star.bili"
    actions: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.files = image_files(self.folder) if self.folder is not None else []
        self._running = True

    @property
    def info(self) -> DeviceInfo:
        source = f"{len(self.files)} pictures in {self.folder}" if self.files else "generated pictures"
        return DeviceInfo(
            spec=self.spec,
            serial=f"pictures:{self.folder.name if self.folder else 'generated'}",
            simulated=True,
            capture="pictures",
            touch="none",
            detail=f"{source}; the simulated game is not running, so touches only get recorded",
            touch_latency_us=0,
        )

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
            raise BadFrame(f"cannot read image {path}")
        return to_screen(image)

    def tap(self, x: int, y: int) -> None:
        self.actions.append(("tap", (x, y)))

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None:
        self.actions.append(("swipe", (x1, y1, x2, y2, duration_ms)))

    def back(self) -> None:
        self.actions.append(("back", ()))

    def start_game(self) -> None:
        self.actions.append(("start_game", ()))
        self._running = True

    def stop_game(self) -> None:
        self.actions.append(("stop_game", ()))
        self._running = False

    def foreground_app(self) -> str:
        return self.package if self._running else ""

    def touch(self) -> TouchChannel:
        raise DeviceError(
            "pictures have no multitouch: start the simulated game (AUTOBANG_DEVICE=sim scripts/up)"
        )

    def touch_url(self) -> str:
        raise DeviceError(
            "pictures have no multitouch: start the simulated game (AUTOBANG_DEVICE=sim scripts/up)"
        )

    def close(self) -> None:
        pass
