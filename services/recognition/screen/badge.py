"""A difficulty badge (result bar, ready page) read by the hue of its colour: the badge's
text differs by server and language, its colour does not (``DIFFICULTY_HUES``)."""

from __future__ import annotations

import cv2
import numpy as np

from services.recognition.screen.frame import Frame
from shared.screen_facts import DIFFICULTY_HUES, Box

BADGE_MIN_FILL = 0.2  # share of the badge box in saturated colour for a badge to be there
BADGE_MAX_HUE_OFF = 15


def badge_difficulty(frame: Frame, box: Box) -> str | None:
    """The difficulty whose colour fills ``box`` of a BGR frame; None when no badge is there."""
    x1, y1, x2, y2 = box
    hsv = cv2.cvtColor(frame[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
    sat = (hsv[..., 1] >= 100) & (hsv[..., 2] >= 100)
    if sat.mean() < BADGE_MIN_FILL:
        return None
    # The mean hue as an angle: red badges straddle 0/179.
    angles = hsv[..., 0][sat].astype(np.float64) * (2 * np.pi / 180)
    hue = float(np.angle(np.exp(1j * angles).mean())) * 180 / (2 * np.pi) % 180

    def off(h: int) -> float:
        d = abs(hue - h) % 180
        return min(d, 180 - d)

    name = min(DIFFICULTY_HUES, key=lambda k: off(DIFFICULTY_HUES[k]))
    return name if off(DIFFICULTY_HUES[name]) <= BADGE_MAX_HUE_OFF else None
