"""The classical baseline: binarise, align, correlate (no learning).

Each crop is binarised like the model's input, its text bounding box is moved to a fixed
corner (undoing shifts), blurred and down-sampled (tolerance to a pixel of misalignment and
to stroke-width changes), then compared by normalised cross-correlation (a dot product of
zero-mean unit vectors)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.song.preprocess import binarize, normalize_levels

FEAT_H, FEAT_W = 18, 225


def _box(mask: npt.NDArray[np.float32]) -> npt.NDArray[np.float32] | None:
    """The text's bounding box (isolated noisy pixels ignored for the box)."""
    clean = cv2.medianBlur((mask * 255).astype(np.uint8), 3)
    rows = np.flatnonzero(clean.max(1))
    cols = np.flatnonzero(clean.max(0))
    if len(rows) == 0:
        return None
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def features(batch: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Raw grey crops (N, 36, 450) -> (N, 18*225) zero-mean unit vectors. Alignment maps the
    text's bounding box onto the whole feature grid, which undoes shifts and small scale
    changes alike."""
    norm, _ = normalize_levels(batch)
    masks = binarize(norm)
    out = np.zeros((len(masks), FEAT_H * FEAT_W), np.float32)
    for i, m in enumerate(masks):
        box = _box(m)
        if box is None:
            continue
        a = cv2.GaussianBlur(box, (0, 0), 1.0)
        small = cv2.resize(a, (FEAT_W, FEAT_H), interpolation=cv2.INTER_AREA).reshape(-1)
        small -= small.mean()
        n = float(np.linalg.norm(small))
        out[i] = small / n if n > 0 else small
    return out


class ClassicalMatcher:
    """Nearest reference by NCC. ``match`` -> (best index, its score, scores)."""

    def __init__(self, ids: list[int], images: npt.NDArray[np.uint8]) -> None:
        self.ids = list(ids)
        self.feats = features(images)

    def scores(self, gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        q = features(gray[None] if gray.ndim == 2 else gray)[0]
        return np.asarray(self.feats @ q, dtype=np.float32)

    def match(self, gray: npt.NDArray[np.uint8]) -> tuple[int, float]:
        s = self.scores(gray)
        k = int(s.argmax())
        return self.ids[k], float(s[k])
