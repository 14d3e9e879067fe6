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
    LIFE_ROWS_SEARCHED,
)

MIN_GREEN_ROWS = 0.5  # a column is filled when this share of the bar's rows is green
BAR_START_SLACK = 12  # px: where the fill may begin after the bar's left end
MARKER_MIN_V = 110  # a marker is at least this bright whatever the capture
MARKER_MIN_PIXELS = 12  # white marker pixels in a lane's window for a marker to be there


@dataclass(frozen=True)
class PlayingScreen:
    life: float | None  # 0..1; None when no bar is there
    playing: bool  # the playfield is up (judge-line markers seen)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_life(frame: Frame) -> float | None:
    """The bar's leftmost run of green columns over its width (its rows found within
    LIFE_ROWS_SEARCHED: captures place it a few px apart); 0 on a playfield with no green,
    None when neither is there (not a playing screen)."""
    x1, _, x2, _ = LIFE_BAR
    r1, r2 = LIFE_ROWS_SEARCHED
    hsv = cv2.cvtColor(frame[r1:r2, x1:x2], cv2.COLOR_BGR2HSV)
    green = cv2.inRange(hsv, np.array(LIFE_HSV_LO, np.uint8), np.array(LIFE_HSV_HI, np.uint8)) > 0
    per_row = green.sum(axis=1)
    rows = per_row >= max(MIN_GREEN_ROWS * float(per_row.max()), 3)
    if not rows.any():
        return 0.0 if playing_field(frame) else None
    filled = green[rows].mean(axis=0) >= MIN_GREEN_ROWS
    starts = np.nonzero(filled[:BAR_START_SLACK])[0]
    if not len(starts):
        return 0.0 if playing_field(frame) else None
    # The fill's right end, from where it starts (a capture may place it a few px right).
    empty = np.nonzero(~filled[starts[0] :])[0]
    end = int(starts[0]) + (int(empty[0]) if len(empty) else len(filled) - int(starts[0]))
    return round(min(end / len(filled), 1.0), 3)


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
