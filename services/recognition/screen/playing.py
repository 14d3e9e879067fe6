"""A playing frame: the life bar's fill (it fills from the left) and whether the playfield
is up, told by the white judge-line markers at the lanes, not by the life bar (a low-life
play is still a play)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.screen.frame import Frame, to_reference
from shared.playfield import LANE_X
from shared.screen_facts import (
    JUDGE_MARKER_BAND,
    JUDGE_MARKER_HALF_W,
    JUDGE_MARKER_MIN_LANES,
    LIFE_BAR,
    LIFE_HSV_HI,
    LIFE_HSV_LO,
)

MIN_GREEN_ROWS = 0.5  # a column is filled when this share of the bar's rows is green
MARKER_MIN_V = 110  # a marker is at least this bright whatever the capture
MARKER_MIN_PIXELS = 12  # white marker pixels in a lane's window for a marker to be there


@dataclass(frozen=True)
class PlayingScreen:
    life: float | None  # 0..1; None when no bar is there
    playing: bool  # the playfield is up (judge-line markers seen)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_life(frame: Frame) -> float | None:
    """The bar's leftmost run of green columns over its width; None when the bar's region
    shows no green and no bar frame (not a playing screen)."""
    x1, y1, x2, y2 = LIFE_BAR
    hsv = cv2.cvtColor(frame[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
    green = cv2.inRange(hsv, np.array(LIFE_HSV_LO, np.uint8), np.array(LIFE_HSV_HI, np.uint8)) > 0
    filled = green.mean(axis=0) >= MIN_GREEN_ROWS
    if not filled[:3].any():
        return 0.0 if playing_field(frame) else None
    empty = np.nonzero(~filled)[0]
    run = int(empty[0]) if len(empty) else len(filled)
    return round(run / len(filled), 3)


def playing_field(frame: Frame) -> bool:
    y1, y2 = JUDGE_MARKER_BAND
    hsv = cv2.cvtColor(frame[y1:y2], cv2.COLOR_BGR2HSV)
    v = hsv[..., 2]
    # CO's V > 170, relative to the band's brightest so a darker capture reads the same.
    top = float(np.percentile(v, 99.5))
    white = (hsv[..., 1] < 70) & (v > max(MARKER_MIN_V, 0.7 * top))
    lanes = 0
    for x in LANE_X:
        a, b = int(x) - JUDGE_MARKER_HALF_W, int(x) + JUDGE_MARKER_HALF_W
        lanes += int(white[:, max(a, 0) : b].sum() >= MARKER_MIN_PIXELS)
    return lanes >= JUDGE_MARKER_MIN_LANES


def read_playing(frame: npt.NDArray[np.generic]) -> PlayingScreen:
    ref = to_reference(frame)
    return PlayingScreen(read_life(ref), playing_field(ref))
