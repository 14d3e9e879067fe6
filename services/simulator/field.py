"""The playfield during a song: lanes, the judge line, falling notes in the colours of
``shared.playfield.NOTE_COLOURS`` and the health bar whose pixel tells that play started.

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
    HEALTH_PIXEL,
    HEALTH_RANGE,
    JUDGE_Y,
    LANE_X,
    NOTE_COLOURS,
    TOP_Y,
    TRACK,
    depth,
)

NOTE_KINDS: tuple[str, ...] = tuple(NOTE_COLOURS)
# Kinds drawn in another kind's colour: slide heads are green like long heads in the game.
ALIASES: dict[str, str] = {"slide": "long"}
LANE_STEP = (LANE_X[-1] - LANE_X[0]) / (len(LANE_X) - 1)
NOTE_W, NOTE_H = 120, 30  # a head's size on the judge line; smaller higher up (perspective)
BODY_W = 64

BACKGROUND: BGR = (46, 24, 20)  # dark navy: value far below every note range
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
HEALTH_BGR: BGR = inside(HEALTH_RANGE, 0.5)
HEALTH_OFF: BGR = (120, 120, 120)  # grey before play starts
HEALTH_ICON = (HEALTH_PIXEL[0] - 14, HEALTH_PIXEL[1] - 10, HEALTH_PIXEL[0] + 14, HEALTH_PIXEL[1] + 10)
HEALTH_BAR = (HEALTH_PIXEL[0] + 20, HEALTH_PIXEL[1] - 6, 1250, HEALTH_PIXEL[1] + 6)


@dataclass(frozen=True)
class NoteSprite:
    kind: str  # "tap" | "long" | "flick" | "skill" | "directional" (NOTE_COLOURS), or "slide"
    x: float  # centre, 1280x720 frame
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


@lru_cache(maxsize=1)
def _background() -> Frame:
    img = blank(BACKGROUND)
    x1, y1, x2, y2 = TRACK
    cv2.rectangle(img, (x1, y1), (x2, y2), (60, 34, 28), -1)
    for i in range(len(LANE_X) + 1):
        x = round(LANE_X[0] + (i - 0.5) * LANE_STEP)
        cv2.line(img, (x, y1), (x, y2 + 40), LANE_LINE, 2, cv2.LINE_8)
    cv2.line(img, (x1, JUDGE_Y), (x2, JUDGE_Y), JUDGE_LINE, 6, cv2.LINE_8)
    for x in LANE_X:
        cv2.circle(img, (x, JUDGE_Y), 22, (170, 170, 170), 3, cv2.LINE_8)
    # Top bar: score panel and the health bar's frame.
    cv2.rectangle(img, (20, 14), (420, 70), (80, 60, 50), -1)
    text(img, "SCORE", (34, 52), 0.8, (230, 230, 230), 2)
    cv2.rectangle(img, (HEALTH_ICON[0] - 4, HEALTH_ICON[1] - 4), (1256, HEALTH_ICON[3] + 4), (70, 50, 44), -1)
    cv2.rectangle(img, HEALTH_BAR[:2], HEALTH_BAR[2:], (30, 30, 30), -1)
    return img


def _scale(y: float) -> float:
    return 0.55 + 0.45 * min(max(depth(y), 0.0), 1.0)


def _head(img: Frame, n: NoteSprite) -> None:
    s = _scale(n.y)
    x, y = n.x, n.y
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
    if n.tail_y is None:
        return
    top, bottom = sorted((n.y, n.tail_y))
    top = max(top, TOP_Y)
    if bottom <= top:
        return
    w = BODY_W * _scale(n.y) / 2
    cv2.rectangle(img, (round(n.x - w), round(top)), (round(n.x + w), round(bottom)), BODY_BGR, -1)


def render_playfield(
    notes: Sequence[NoteSprite], *, health: float = 1.0, combo: int = 0, started: bool = True
) -> Frame:
    """The playfield with ``notes`` (bodies first, then heads on top). ``health`` 0..1
    fills the bar; the health pixel is in ``HEALTH_RANGE`` exactly when ``started`` and
    health > 0."""
    img = _background().copy()
    for n in notes:
        _body(img, n)
    for n in notes:
        _head(img, n)
    h = min(max(health, 0.0), 1.0)
    on = started and h > 0
    cv2.rectangle(img, HEALTH_ICON[:2], HEALTH_ICON[2:], HEALTH_BGR if on else HEALTH_OFF, -1)
    if on:
        x1, y1, x2, y2 = HEALTH_BAR
        cv2.rectangle(img, (x1, y1), (x1 + round((x2 - x1) * h), y2), HEALTH_BGR, -1)
    if combo > 0:
        text(img, str(combo), (1220, 320), 1.0, (255, 255, 255), 2, centre=True)
        text(img, "COMBO", (1220, 356), 0.6, (220, 220, 220), 1, centre=True)
    return img
