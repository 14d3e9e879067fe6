"""Falling notes in a frame by colour (docs/domain.md section 8): HSV masks per kind on
the note track (the perspective track of ``shared.playfield``: lanes converging toward
``VANISH``), connected regions as boxes with their kind, depth and the x on the judge
line they travel toward. The start sync uses it here; the workflow's overlay and tracer
use the same function."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from shared.playfield import LANE_X, NOTE_COLOURS, TRACK, depth, judge_x, perspective, x_at
from shared.screen_facts import LIFE_BAR, LIFE_HSV_HI, LIFE_HSV_LO, LIFE_ROWS_SEARCHED

MIN_HEIGHT_JUDGE = 10.0  # px a note is at least tall on the judge line (a third of a head)
MIN_AREA = 60  # px: smaller specks are noise (sparks, text)


@dataclass(frozen=True)
class NoteBox:
    kind: str  # a key of shared.playfield.NOTE_COLOURS
    x: int  # box in frame coordinates
    y: int
    w: int
    h: int
    area: int

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    @property
    def depth(self) -> float:
        """0 at the top line, 1 at the judge line (from the box's centre)."""
        return depth(self.centre[1])

    @property
    def judge_x(self) -> float:
        """The x on the judge line of the lane the note travels along (perspective undone)."""
        return judge_x(*self.centre)


# The track's edges on the judge line, widened by half a lane so a directional note's
# arrow at an outer lane stays inside.
_STEP = (LANE_X[-1] - LANE_X[0]) / (len(LANE_X) - 1)
_EDGES = (LANE_X[0] - _STEP, LANE_X[-1] + _STEP)


@lru_cache(maxsize=1)
def track_mask() -> np.ndarray:
    """0/255 over ``TRACK``: the perspective track (outside it the real game has art)."""
    x1, y1, x2, y2 = TRACK
    mask = np.zeros((y2 - y1, x2 - x1), np.uint8)
    pts = [
        (x_at(_EDGES[0], y1), y1),
        (x_at(_EDGES[1], y1), y1),
        (x_at(_EDGES[1], y2), y2),
        (x_at(_EDGES[0], y2), y2),
    ]
    poly = np.array([[round(x - x1), round(y - y1)] for x, y in pts], np.int32)
    cv2.fillConvexPoly(mask, poly, 255, cv2.LINE_8)
    mask.setflags(write=False)
    return mask


def hsv_of(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)


def kind_mask(hsv: np.ndarray, kind: str) -> np.ndarray:
    masks = [cv2.inRange(hsv, np.array(r.lo, np.uint8), np.array(r.hi, np.uint8)) for r in NOTE_COLOURS[kind]]
    out = masks[0]
    for m in masks[1:]:
        out = cv2.bitwise_or(out, m)
    return out


def detect_notes(
    frame: np.ndarray, kinds: tuple[str, ...] = tuple(NOTE_COLOURS), min_area: int = MIN_AREA
) -> list[NoteBox]:
    """Notes on the track of a 720x1280 BGR frame, lowest (nearest the judge line) first."""
    x1, y1, x2, y2 = TRACK
    hsv = hsv_of(frame[y1:y2, x1:x2])
    boxes: list[NoteBox] = []
    track = track_mask()
    for kind in kinds:
        mask = cv2.bitwise_and(kind_mask(hsv, kind), track)
        if not cv2.countNonZero(mask):
            continue
        # Outer contours: several times cheaper than labelling connected components.
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            x, y, w, h = cv2.boundingRect(c)
            area = int(cv2.countNonZero(mask[y : y + h, x : x + w]))
            # A sliver (the edge of a button the track runs past) is no note: a head is
            # ~30 px tall on the judge line and shrinks with the perspective.
            if area >= min_area and h >= MIN_HEIGHT_JUDGE * perspective(y + y1 + h):
                boxes.append(NoteBox(kind, x + x1, y + y1, w, h, area))
    boxes.sort(key=lambda b: -b.centre[1])
    return boxes


LIFE_LEFT_W = 10  # px of the bar's left end looked at
LIFE_LEFT_MIN_PIXELS = 40  # green pixels there: the bar shows (a bar row is ~20 px tall)


def health_bar_on(frame: np.ndarray) -> bool:
    """Play has started: the life bar shows. It fills from the left, so its left end is
    green at any life (the first version's single pixel at (1080, 42) is green only while
    life >= ~52 %); the rows are searched because captures place the bar a few px apart."""
    x1 = LIFE_BAR[0]
    r1, r2 = LIFE_ROWS_SEARCHED
    patch = hsv_of(frame[r1:r2, x1 + 2 : x1 + 2 + LIFE_LEFT_W])
    green = cv2.inRange(patch, np.array(LIFE_HSV_LO, np.uint8), np.array(LIFE_HSV_HI, np.uint8))
    return int(cv2.countNonZero(green)) >= LIFE_LEFT_MIN_PIXELS
