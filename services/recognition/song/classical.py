"""The classical baseline: binarise, align, correlate (no learning).

Each crop is binarised like the model's input, its text bounding box is moved to a fixed
corner (undoing shifts), blurred and down-sampled (tolerance to a pixel of misalignment and
to stroke-width changes), then compared by normalised cross-correlation (a dot product of
zero-mean unit vectors)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.song.preprocess import H, W, binarize, normalize_levels

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
    return mask_features(binarize(normalize_levels(batch)[0]))


def mask_features(masks: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``features`` from already binarised crops (N, 36, 450)."""
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


# --- verification of a few candidates (the recogniser's re-rank) ---------------------------
# Comparing a query with one known reference can afford a real alignment search: both are
# binarised, halved and blurred, and the best normalised correlation over shifts of up to
# +-4 px (y) / +-12 px (x) in full-size pixels is the score. This undoes shifts exactly and
# tolerates small scale changes, where the bounding-box alignment above can be thrown off by
# a title cut at the crop edge.
_VY, _VX = 2, 6  # search radius in half-size pixels


def verify_features(batch: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Raw grey crops (N, 36, 450) -> (N, 36, 450) lightly blurred masks (the half-size
    search images are derived from them on the fly)."""
    return mask_verify_features(binarize(normalize_levels(batch)[0]))


def mask_verify_features(masks: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.stack([cv2.GaussianBlur(m, (0, 0), 0.7) for m in masks]).astype(np.float32)


def _half(img: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.resize(img, (W // 2, H // 2), interpolation=cv2.INTER_AREA), dtype=np.float32)


def verify(query: npt.NDArray[np.float32], refs: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Best shifted NCC of one query (36, 450) against each reference (K, 36, 450): the
    shift is searched at half size, then refined (+-1 px) and scored at full size, where
    strokes (not just blobs of text) must agree."""
    out = np.zeros(len(refs), np.float32)
    if float(query.std()) < 1e-6:
        return out
    qh = _half(query)
    padded_h = cv2.copyMakeBorder(qh, _VY, _VY, _VX, _VX, cv2.BORDER_CONSTANT, value=0.0)
    py, px = 2 * _VY + 1, 2 * _VX + 1
    padded = cv2.copyMakeBorder(query, py, py, px, px, cv2.BORDER_CONSTANT, value=0.0)
    for k, ref in enumerate(refs):
        if float(ref.std()) < 1e-6:
            continue
        r = cv2.matchTemplate(padded_h, _half(ref), cv2.TM_CCOEFF_NORMED)
        dy, dx = np.unravel_index(int(np.nanargmax(r)), r.shape)
        y0 = py + 2 * (int(dy) - _VY) - 1
        x0 = px + 2 * (int(dx) - _VX) - 1
        window = padded[y0 : y0 + H + 2, x0 : x0 + W + 2]
        out[k] = float(np.nanmax(cv2.matchTemplate(window, ref, cv2.TM_CCOEFF_NORMED)))
    return out


_SEGMENTS = 3  # column strips aligned on their own: a +-2% scale moves the ends by ~4 px
_SX, _SY = 4, 1  # per-strip search around the global shift (full-size pixels)


def verify_fine(query: npt.NDArray[np.float32], ref: npt.NDArray[np.float32]) -> float:
    """Like ``verify`` for one reference, but each third of the reference is aligned on its
    own after the global shift, so a slight scale change does not lower the score; strips
    are weighted by their ink."""
    if float(query.std()) < 1e-6 or float(ref.std()) < 1e-6:
        return 0.0
    qh = _half(query)
    padded_h = cv2.copyMakeBorder(qh, _VY, _VY, _VX, _VX, cv2.BORDER_CONSTANT, value=0.0)
    r = cv2.matchTemplate(padded_h, _half(ref), cv2.TM_CCOEFF_NORMED)
    dy, dx = np.unravel_index(int(np.nanargmax(r)), r.shape)
    gy, gx = 2 * (int(dy) - _VY), 2 * (int(dx) - _VX)
    py, px = abs(gy) + _SY + 1, abs(gx) + _SX + 1
    padded = cv2.copyMakeBorder(query, py, py, px, px, cv2.BORDER_CONSTANT, value=0.0)
    bounds = np.linspace(0, W, _SEGMENTS + 1).astype(int)
    total_ink = float(ref.sum())
    score, weight = 0.0, 0.0
    for a, b in itertools.pairwise(bounds):
        strip = ref[:, a:b]
        ink = float(strip.sum())
        if ink < 0.02 * total_ink or float(strip.std()) < 1e-6:
            continue
        y0, x0 = py + gy - _SY, px + gx + a - _SX
        window = padded[y0 : y0 + H + 2 * _SY, x0 : x0 + (b - a) + 2 * _SX]
        s = float(np.nanmax(cv2.matchTemplate(window, strip, cv2.TM_CCOEFF_NORMED)))
        score += ink * s
        weight += ink
    return score / weight if weight > 0 else 0.0
