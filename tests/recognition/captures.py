"""A frame as the capture paths deliver it: the display sizes a device may have, JPEG
(darker too) and a brighter panel; shared by the screen-reader tests."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]


def sized(img: Frame, w: int, h: int) -> Frame:
    return np.asarray(cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if w < 1280 else cv2.INTER_CUBIC))


def jpeg(img: Frame, quality: int = 75, gain: float = 1.0) -> Frame:
    ok, buf = cv2.imencode(
        ".jpg", np.clip(img * gain, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR))


def brighter(img: Frame) -> Frame:
    return np.asarray(np.clip(img.astype(np.float32) * 1.15, 0, 255), np.uint8)


CAPTURES: dict[str, Callable[[Frame], Frame]] = {
    "1280x720": lambda f: f,
    "1600x900": lambda f: sized(f, 1600, 900),
    "1920x1080": lambda f: sized(f, 1920, 1080),
    "JPEG": lambda f: jpeg(f, 70),
    "darker JPEG": lambda f: jpeg(sized(f, 1600, 900), 75, 0.65),
    "brighter": brighter,
}
