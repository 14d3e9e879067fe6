"""Bringing a captured frame to the 1280x720 BGR frame the screen facts are measured in."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from shared.screen_facts import REF_H, REF_W

Frame = npt.NDArray[np.uint8]
ASPECT_TOLERANCE = 0.02  # 16:9 give or take a capture's odd row


class FrameError(ValueError):
    """A frame the readers cannot read (wrong shape or aspect)."""


def to_reference(frame: npt.NDArray[np.generic]) -> Frame:
    """``frame`` (grey, BGR or BGRA; any 16:9 size) as a 720x1280x3 uint8 BGR frame."""
    img = np.asarray(frame)
    if img.dtype != np.uint8:
        raise FrameError(f"frame must be uint8, got {img.dtype}")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    elif img.ndim != 3 or img.shape[2] != 3:
        raise FrameError(f"frame must be grey, BGR or BGRA, got shape {img.shape}")
    h, w = img.shape[:2]
    if h == 0 or abs(w / h - REF_W / REF_H) > ASPECT_TOLERANCE * REF_W / REF_H:
        raise FrameError(f"frame {w}x{h} is not 16:9 (the screen facts are for 16:9 landscape)")
    if (w, h) == (REF_W, REF_H):
        return np.ascontiguousarray(img)
    shrink = w > REF_W
    return np.asarray(
        cv2.resize(img, (REF_W, REF_H), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR),
        np.uint8,
    )
