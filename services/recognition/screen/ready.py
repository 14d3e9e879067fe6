"""The ready screen's live mode (3D / MV / OFF, one cycling button) and the 3D cut-in
checkbox (there only while the mode is OFF), read from the label beside the button and
the checkbox's colour."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.screen.frame import Frame, to_reference
from shared.screen_facts import (
    CUT_IN_ON_FRACTION,
    CUT_IN_REGION,
    MODE_LABEL_REGION,
    MODE_MV_MIN_SOLID,
    MODE_OFF_MAX_PIXELS,
    Box,
)

Mode = Literal["3d", "mv", "off"]
OFF_MIN_LIGHT = 0.5  # OFF: the label region is mostly the white pill...
OFF_MIN_TEXT = 20  # ...with the dark "OFF" lettering in it (px)
PINK_HUES = (150, 10)  # the 3D and MV icons are pink (H ~172 on the real templates): wraps past 179
CUT_IN_MIN_LIGHT = 0.3  # an unticked checkbox: grey/white, not a dark backdrop


@dataclass(frozen=True)
class ReadyScreen:
    mode: Mode | None  # None: no mode label where the button's label sits
    cut_in: bool | None  # None while the mode is not OFF (the checkbox is not shown)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hsv(frame: Frame, box: Box) -> npt.NDArray[np.uint8]:
    x1, y1, x2, y2 = box
    return np.asarray(cv2.cvtColor(frame[y1:y2, x1:x2], cv2.COLOR_BGR2HSV), np.uint8)


def read_mode(frame: Frame) -> Mode | None:
    hsv = _hsv(frame, MODE_LABEL_REGION)
    hue = hsv[..., 0]
    pink = (hue >= PINK_HUES[0]) | (hue <= PINK_HUES[1])
    sat = ((hsv[..., 1] >= 90) & (hsv[..., 2] >= 130) & pink).astype(np.uint8)
    n = int(sat.sum())
    # "White" and "dark" relative to the region's brightest (the pill), so a darker capture
    # reads the same.
    v = hsv[..., 2].astype(np.float32)
    top = float(np.percentile(v, 99))
    if top < 100:
        return None
    light = float((v >= 0.8 * top).mean())
    if n < MODE_OFF_MAX_PIXELS:
        text = int(((v < 0.5 * top) & (hsv[..., 1] < 60)).sum())
        return "off" if light >= OFF_MIN_LIGHT and text >= OFF_MIN_TEXT else None
    if light < OFF_MIN_LIGHT / 2:
        return None  # a pink icon sits on the white pill, not on a pink backdrop
    solid = int(cv2.erode(sat, np.ones((5, 5), np.uint8)).sum()) / n
    return "mv" if solid >= MODE_MV_MIN_SOLID else "3d"


def read_cut_in(frame: Frame) -> bool | None:
    hsv = _hsv(frame, CUT_IN_REGION)
    pink = float(((hsv[..., 1] >= 80) & (hsv[..., 2] >= 130)).mean())
    if pink > CUT_IN_ON_FRACTION:
        return True
    return False if float((hsv[..., 2] >= 130).mean()) >= CUT_IN_MIN_LIGHT else None


def read_ready(frame: npt.NDArray[np.generic]) -> ReadyScreen:
    ref = to_reference(frame)
    mode = read_mode(ref)
    return ReadyScreen(mode, read_cut_in(ref) if mode == "off" else None)
