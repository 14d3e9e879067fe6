"""Reading the level number under the title (to tell identical titles apart) and choosing
among same-title songs with the catalog's levels per difficulty.

Digits are read by template matching: each connected blob in the first 64 columns is
compared with digit templates rendered from the system's fonts (the game's digits are a
plain sans font)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from services.recognition.song.preprocess import binarize, normalize_levels

DIGIT_COLUMNS = 64
_T_H, _T_W = 20, 14


def _normalise_glyph(mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    g = cv2.resize(mask.astype(np.float32), (_T_W, _T_H), interpolation=cv2.INTER_AREA).reshape(-1)
    g -= g.mean()
    n = float(np.linalg.norm(g))
    return np.asarray(g / n if n > 0 else g, dtype=np.float32)


@lru_cache(maxsize=1)
def _templates() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    from shared.title_render import system_fonts

    feats, labels = [], []
    for face in system_fonts():
        for size in (20, 26):
            font = face.load(size)
            for d in range(10):
                img = Image.new("L", (40, 40), 0)
                ImageDraw.Draw(img).text((8, 4), str(d), fill=255, font=font)
                a = np.asarray(img) > 127
                ys, xs = np.nonzero(a)
                feats.append(
                    _normalise_glyph(a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8))
                )
                labels.append(d)
    return np.stack(feats), np.asarray(labels)


def read_level(crop: npt.NDArray[np.uint8]) -> int | None:
    """The number in the first 64 columns of a level crop, or None if none is readable."""
    norm, ok = normalize_levels(np.asarray(crop)[:, :DIGIT_COLUMNS])
    if not ok[0]:
        return None
    mask = (binarize(norm)[0] > 0).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = sorted(
        (s for s in stats[1:n] if s[cv2.CC_STAT_AREA] >= 8 and s[cv2.CC_STAT_HEIGHT] >= 8),
        key=lambda s: int(s[cv2.CC_STAT_LEFT]),
    )
    if not blobs or len(blobs) > 2:
        return None
    feats, labels = _templates()
    digits = []
    for s in blobs:
        x, y, w, h = (
            int(s[k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)
        )
        scores = feats @ _normalise_glyph(mask[y : y + h, x : x + w])
        if scores.max() < 0.6:
            return None
        digits.append(int(labels[int(scores.argmax())]))
    return int("".join(map(str, digits)))


def resolve_by_level(
    candidates: Iterable[int], level: int, levels: Mapping[int, Mapping[int, int]]
) -> list[int]:
    """The candidates whose catalog levels (difficulty -> level) include ``level``."""
    return [c for c in candidates if level in set((levels.get(c) or {}).values())]
