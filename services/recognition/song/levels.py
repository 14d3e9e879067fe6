"""Reading the level number under the title (to tell identical titles apart) and choosing
among same-title songs with the catalog's levels per difficulty.

The digits in the first 64 columns of the level row are read by the one number reader
(``services.recognition.screen.glyphs``) after the crop's levels are normalised as the
title's are (any brightness or contrast)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from services.recognition.screen.glyphs import read_mask
from services.recognition.song.preprocess import binarize, normalize_levels

DIGIT_COLUMNS = 64
MAX_LEVEL_DIGITS = 2


def read_level(crop: npt.NDArray[np.uint8]) -> int | None:
    """The number in the first 64 columns of a level crop, or None if none is readable."""
    norm, ok = normalize_levels(np.asarray(crop)[:, :DIGIT_COLUMNS])
    if not ok[0]:
        return None
    mask = (binarize(norm)[0] > 0).astype(np.uint8)
    # A digit cut by the row's edge is no digit: only ink clear of the crop's border counts.
    return read_mask(mask, MAX_LEVEL_DIGITS)


def resolve_by_level(
    candidates: Iterable[int], level: int, levels: Mapping[int, Mapping[int, int]]
) -> list[int]:
    """The candidates whose catalog levels (difficulty -> level) include ``level``."""
    return [c for c in candidates if level in set((levels.get(c) or {}).values())]
