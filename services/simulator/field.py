"""The playfield during a song: a perspective track whose lanes converge toward
``shared.playfield.VANISH`` (real-game facts: CO's note detector), notes travelling along
their lanes in the colours of ``shared.playfield.NOTE_COLOURS``, and the HUD: the score
top left, the life bar (x 970-1182, y 32-53, filling from the left and draining as the
play loses life) and the pause button top right.

Notes are drawn with solid fills and no anti-aliasing, so every pixel of a note lies inside
its kind's HSV range (the play engine's detector masks by those ranges); everything else on
the track (background, lane lines, long/slide bodies) lies outside every range: bodies are
the long colour at a value below the ranges' floor, so they are never taken for heads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from services.simulator.draw import BGR, Frame, blank, hsv_to_bgr, inside, text
from shared.playfield import (
    HEALTH_RANGE,
    JUDGE_Y,
    LANE_X,
    LIFE_BAR,
    LIFE_ICON,
    NOTE_COLOURS,
    PAUSE_BUTTON,
    SCORE_BOX,
    TOP_Y,
    perspective,
    x_at,
)

NOTE_KINDS: tuple[str, ...] = tuple(NOTE_COLOURS)
# Kinds drawn in another kind's colour: slide heads are green like long heads in the game.
ALIASES: dict[str, str] = {"slide": "long"}
LANE_STEP = (LANE_X[-1] - LANE_X[0]) / (len(LANE_X) - 1)
NOTE_W, NOTE_H = 120, 30  # a head's size on the judge line; narrower higher up (perspective)
BODY_W = 64
FIELD_TOP = 45  # the track is drawn from here (CO searches notes from y = 45)
EDGES = (LANE_X[0] - LANE_STEP / 2, LANE_X[-1] + LANE_STEP / 2)  # track edges on the judge line

BACKGROUND: BGR = (46, 24, 20)  # dark navy: value far below every note range
TRACK_FILL: BGR = (60, 34, 28)
LANE_LINE: BGR = (92, 92, 92)  # grey: no saturation
JUDGE_LINE: BGR = (235, 235, 235)

# One colour per kind (directional: Left purple-blue, Right orange), checked at import.
NOTE_BGR: dict[str, BGR] = {k: inside(r[0], 0.6) for k, r in NOTE_COLOURS.items()}
DIRECTIONAL_BGR: dict[str, BGR] = {
    "Left": inside(NOTE_COLOURS["directional"][0], 0.6),
    "Right": inside(NOTE_COLOURS["directional"][1], 0.6),
}
_lr = NOTE_COLOURS["long"][0]
BODY_BGR: BGR = hsv_to_bgr((_lr.centre[0], _lr.centre[1], 150))  # V 150 < every range's floor
LIFE_BGR: BGR = inside(HEALTH_RANGE, 0.5)  # the bar's green (the health pixel's range)
LIFE_EMPTY: BGR = (40, 36, 36)
HEART: BGR = (120, 90, 240)


@dataclass(frozen=True)
class NoteSprite:
    """A note on the field. ``x`` is its lane's x on the judge line; it is drawn at
    ``shared.playfield.x_at(x, y)``, on its lane at height ``y``."""

    kind: str  # "tap" | "long" | "flick" | "skill" | "directional" (NOTE_COLOURS), or "slide"
    x: float  # the lane's x on the judge line (1280x720 frame)
    y: float
    width: float = 1.0  # lanes (directional)
    direction: str | None = None  # "Left" | "Right" for directional
    tail_y: float | None = None  # long/slide body drawn from y up to tail_y

    def __post_init__(self) -> None:
        if self.kind not in NOTE_COLOURS and self.kind not in ALIASES:
            raise ValueError(
                f"unknown note kind {self.kind!r} (one of {', '.join(NOTE_KINDS + tuple(ALIASES))})"
            )
        if self.kind == "directional" and self.direction not in DIRECTIONAL_BGR:
            raise ValueError(f"a directional note needs direction Left or Right, got {self.direction!r}")


def _pt(x_judge: float, y: float) -> tuple[int, int]:
    return (round(x_at(x_judge, y)), round(y))


@lru_cache(maxsize=1)
def _background() -> Frame:
    img = blank(BACKGROUND)
    bottom = JUDGE_Y + 40
    left, right = EDGES
    track = np.array([_pt(left, FIELD_TOP), _pt(right, FIELD_TOP), _pt(right, bottom), _pt(left, bottom)])
    cv2.fillConvexPoly(img, track.astype(np.int32), TRACK_FILL, cv2.LINE_8)
    for i in range(len(LANE_X) + 1):
        xj = LANE_X[0] + (i - 0.5) * LANE_STEP
        cv2.line(img, _pt(xj, FIELD_TOP), _pt(xj, bottom), LANE_LINE, 2, cv2.LINE_8)
    cv2.line(img, _pt(left, JUDGE_Y), _pt(right, JUDGE_Y), JUDGE_LINE, 6, cv2.LINE_8)
    for x in LANE_X:
        cv2.circle(img, (x, JUDGE_Y), 22, (170, 170, 170), 3, cv2.LINE_8)
    # HUD: the score top left, the life bar's heart and empty bar, the pause button.
    x1, y1, x2, y2 = SCORE_BOX
    cv2.rectangle(img, (x1, y1), (x2, y2), (80, 60, 50), -1)
    text(img, "SCORE", (x1 + 14, y2 - 18), 0.8, (230, 230, 230), 2)
    hx1, hy1, hx2, hy2 = LIFE_ICON
    cv2.circle(img, ((hx1 + hx2) // 2, (hy1 + hy2) // 2), (hx2 - hx1) // 2 - 2, HEART, -1, cv2.LINE_8)
    bx1, by1, bx2, by2 = LIFE_BAR
    cv2.rectangle(img, (bx1 - 2, by1 - 2), (bx2 + 2, by2 + 2), (90, 80, 80), -1)
    cv2.rectangle(img, (bx1, by1), (bx2, by2), LIFE_EMPTY, -1)
    px1, py1, px2, py2 = PAUSE_BUTTON
    cv2.rectangle(img, (px1, py1), (px2, py2), (70, 60, 60), -1)
    w = (px2 - px1) // 5
    for k in (1, 3):
        cv2.rectangle(img, (px1 + k * w, py1 + 12), (px1 + (k + 1) * w - 2, py2 - 12), (235, 235, 235), -1)
    return img


def _scale(y: float) -> float:
    """A note's size relative to the judge line, by its height (perspective)."""
    return max(perspective(y), 0.05)


def _head(img: Frame, n: NoteSprite) -> None:
    s = _scale(n.y)
    x, y = x_at(n.x, n.y), n.y
    if n.kind == "directional":
        colour = DIRECTIONAL_BGR[n.direction or "Left"]
        half_w = max(n.width, 0.5) * LANE_STEP * s / 2
        half_h = NOTE_H * s / 2
        cv2.rectangle(
            img, (round(x - half_w), round(y - half_h)), (round(x + half_w), round(y + half_h)), colour, -1
        )
        # The arrow head on the side it points to.
        sign = -1 if n.direction == "Left" else 1
        tip = x + sign * (half_w + 26 * s)
        base = x + sign * half_w
        pts = np.array([[tip, y], [base, y - 2 * half_h], [base, y + 2 * half_h]], np.int32)
        cv2.fillConvexPoly(img, pts, colour, cv2.LINE_8)
        return
    kind = ALIASES.get(n.kind, n.kind)
    colour = NOTE_BGR[kind]
    half_w, half_h = NOTE_W * s / 2, NOTE_H * s / 2
    cv2.rectangle(
        img, (round(x - half_w), round(y - half_h)), (round(x + half_w), round(y + half_h)), colour, -1
    )
    if kind == "flick":  # an arrow pointing up
        pts = np.array(
            [[x, y - half_h - 24 * s], [x - 22 * s, y - half_h], [x + 22 * s, y - half_h]], np.int32
        )
        cv2.fillConvexPoly(img, pts, colour, cv2.LINE_8)
    elif kind == "skill":  # a diamond on the bar
        pts = np.array(
            [[x, y - 2 * half_h], [x - 2 * half_h, y], [x, y + 2 * half_h], [x + 2 * half_h, y]], np.int32
        )
        cv2.fillConvexPoly(img, pts, colour, cv2.LINE_8)


def _body(img: Frame, n: NoteSprite) -> None:
    """A long/slide body: a strip along the lane, narrowing with the track."""
    if n.tail_y is None:
        return
    top, bottom = sorted((n.y, n.tail_y))
    top = max(top, TOP_Y)
    if bottom <= top:
        return
    wt, wb = BODY_W * _scale(top) / 2, BODY_W * _scale(bottom) / 2
    xt, xb = x_at(n.x, top), x_at(n.x, bottom)
    pts = np.array([[xt - wt, top], [xt + wt, top], [xb + wb, bottom], [xb - wb, bottom]])
    cv2.fillConvexPoly(img, np.round(pts).astype(np.int32), BODY_BGR, cv2.LINE_8)


def render_playfield(
    notes: Sequence[NoteSprite], *, health: float = 1.0, combo: int = 0, started: bool = True
) -> Frame:
    """The playfield with ``notes`` (bodies first, then heads on top). ``health`` 0..1
    fills the life bar from the left once play has ``started`` (before, it is empty)."""
    img = _background().copy()
    for n in notes:
        _body(img, n)
    for n in notes:
        _head(img, n)
    life = min(max(health, 0.0), 1.0) if started else 0.0
    if life > 0:
        x1, y1, x2, y2 = LIFE_BAR
        cv2.rectangle(img, (x1, y1), (x1 + round((x2 - x1) * life), y2), LIFE_BGR, -1)
    if combo > 0:
        text(img, str(combo), (1220, 320), 1.0, (255, 255, 255), 2, centre=True)
        text(img, "COMBO", (1220, 356), 0.6, (220, 220, 220), 1, centre=True)
    return img
