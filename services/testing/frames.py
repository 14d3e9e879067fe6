"""Synthetic playfield frames drawn with OpenCV from ``shared.playfield``'s facts: the
health bar pixel and falling notes at the depth the first-note curve gives."""

from __future__ import annotations

import cv2
import numpy as np

from shared.playfield import (
    HEALTH_RANGE,
    HEIGHT,
    JUDGE_Y,
    LIFE_BAR,
    NOTE_COLOURS,
    WIDTH,
    HsvRange,
    depth_at,
    lane_x_at,
    perspective,
    shipped_coefficients,
    y_of_depth,
)


def bgr(r: HsvRange) -> tuple[int, int, int]:
    h, s, v = r.centre
    b, g, rr = (int(c) for c in cv2.cvtColor(np.array([[[h, s, v]]], np.uint8), cv2.COLOR_HSV2BGR)[0, 0])
    return (b, g, rr)


def playfield(notes: list[tuple[str, float, float]], health: bool = True) -> np.ndarray:
    """A frame with ``notes`` as (kind, lane, depth) and the health bar on or off."""
    frame = np.full((HEIGHT, WIDTH, 3), 30, np.uint8)
    cv2.line(frame, (0, JUDGE_Y), (WIDTH, JUDGE_Y), (200, 200, 200), 2)
    if health:  # the life bar at a quarter, filled from its left end
        x1, y1, x2, y2 = LIFE_BAR
        cv2.rectangle(frame, (x1, y1), (x1 + (x2 - x1) // 4, y2), bgr(HEALTH_RANGE), -1)
    for kind, lane, d in notes:
        if 0.0 <= d <= 1.02:
            # Along the lane (perspective), growing as they come near.
            y = round(y_of_depth(d))
            x, half_w = round(lane_x_at(lane, y)), round(60 * perspective(y))
            cv2.rectangle(frame, (x - half_w, y - 8), (x + half_w, y + 8), bgr(NOTE_COLOURS[kind][0]), -1)
    return frame


def falling(kind: str, lane: float, judged_at: float, now: float) -> tuple[str, float, float]:
    """A note judged at ``judged_at``, as it is at ``now`` (depth by the shipped curve)."""
    return (kind, lane, depth_at(judged_at - now, shipped_coefficients()))
