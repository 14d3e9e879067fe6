"""Pixels in, model input out: grey conversion, title cropping, level normalisation and the
user's fixed-threshold binarisation. numpy/cv2 only (no torch), batch-friendly."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shared.catalogue import regions as _regions

# Where titles and levels sit: the screen catalogue's facts (shared with the simulator).
H, W = _regions.TITLE_H, _regions.TITLE_W
SCREEN_SIZE = _regions.SCREEN_SIZE  # (h, w)
TITLE_REGIONS = _regions.TITLE_REGIONS  # song select (fixed difficulty), multiplayer ready
LEVEL_OFFSET_Y = _regions.LEVEL_OFFSET_Y  # the level number sits in the row below the title
INFER_THRESHOLD = 160
TRAIN_THRESHOLDS = (150, 155, 160, 165, 170)
TRIPLET_THRESHOLDS = (150, 155, 165, 170)
# Reference grey levels the crop is mapped to before thresholding: background / text.
REF_BACKGROUND, REF_TEXT = 230.0, 50.0
MIN_CONTRAST = 30.0  # below this (p_hi - p_lo) a crop has no text worth reading

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]


def to_gray(img: npt.NDArray[np.generic]) -> U8:
    """Grey uint8 from a grey, BGR or BGRA array."""
    a = np.asarray(img)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 3:
        import cv2

        code = cv2.COLOR_BGRA2GRAY if a.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        a = cv2.cvtColor(a.astype(np.uint8), code)
    if a.ndim != 2:
        raise ValueError(f"expected a grey or colour image, got an array of shape {a.shape}")
    return np.ascontiguousarray(a.astype(np.uint8))


def title_crops(img: npt.NDArray[np.generic]) -> list[U8]:
    """The candidate title crops of an image: itself when it is a 36x450 crop, the known
    title regions when it is a 1280x720 screenshot."""
    g = to_gray(img)
    if g.shape == (H, W):
        return [g]
    if g.shape == SCREEN_SIZE:
        return [np.ascontiguousarray(g[y1:y2, x1:x2]) for x1, y1, x2, y2 in TITLE_REGIONS]
    raise ValueError(f"expected a {H}x{W} title crop or a 1280x720 screenshot, got {g.shape[1]}x{g.shape[0]}")


def level_crop(screen: npt.NDArray[np.generic], region: int) -> U8:
    """The level-number row under title region ``region`` of a 1280x720 screenshot."""
    g = to_gray(screen)
    x1, y1, x2, y2 = TITLE_REGIONS[region]
    return np.ascontiguousarray(g[y1 + LEVEL_OFFSET_Y : y2 + LEVEL_OFFSET_Y, x1:x2])


def _level_ranks(n_pixels: int) -> tuple[int, int]:
    """Ranks of the text (0.5th percentile) and background (70th) grey levels: one
    definition for both the batch path and ``crop_mask``, which must agree."""
    return int(n_pixels * 0.005), int(n_pixels * 0.70)


def normalize_levels(batch: npt.NDArray[np.generic]) -> tuple[F32, npt.NDArray[np.bool_]]:
    """Map each crop's background to REF_BACKGROUND and its text to REF_TEXT.

    Percentiles make this exact for any gain/offset change of brightness, which a fixed
    threshold on raw pixels is not (x0.75 - 35 pushes a light background under 160).
    Returns (normalised float32 batch, per-crop 'has text' flags)."""
    raw = np.asarray(batch)
    if raw.ndim == 2:
        raw = raw[None]
    b = raw.astype(np.float32)
    lo_k, hi_k = _level_ranks(b.shape[1] * b.shape[2])
    if raw.dtype == np.uint8:
        # k-th smallest values from per-crop histograms: ~10x faster than a partition.
        offs = (np.arange(len(raw)) * 256)[:, None]
        hist = np.bincount((raw.reshape(len(raw), -1) + offs).ravel(), minlength=256 * len(raw))
        cum = np.cumsum(hist.reshape(len(raw), 256), axis=1)
        lo = (cum <= lo_k).sum(axis=1).astype(np.float32)
        hi = (cum <= hi_k).sum(axis=1).astype(np.float32)
    else:
        part = np.partition(b.reshape(len(b), -1), (lo_k, hi_k), axis=1)
        lo, hi = part[:, lo_k], part[:, hi_k]
    contrast = hi - lo
    ok = contrast >= MIN_CONTRAST
    scale = (REF_BACKGROUND - REF_TEXT) / np.maximum(contrast, 1.0)
    out = (b - lo[:, None, None]) * scale[:, None, None] + REF_TEXT
    out[~ok] = REF_BACKGROUND  # no text: a blank crop
    return out.astype(np.float32), ok


def binarize(
    norm: npt.NDArray[np.floating], threshold: float | npt.NDArray[np.floating] = INFER_THRESHOLD
) -> F32:
    """Invert and threshold: 1.0 where the (normalised) pixel is darker than the threshold."""
    t = np.asarray(threshold, dtype=np.float32)
    if t.ndim == 1:
        t = t[:, None, None]
    return (np.asarray(norm) < t).astype(np.float32)


def model_input(
    batch: npt.NDArray[np.generic], threshold: float = INFER_THRESHOLD
) -> tuple[F32, npt.NDArray[np.bool_]]:
    """Raw grey crops (N, 36, 450) or one crop -> (N, 1, 36, 450) float32 for TitleNet."""
    norm, ok = normalize_levels(batch)
    return binarize(norm, threshold)[:, None], ok


def crop_mask(crop: U8, threshold: float = INFER_THRESHOLD) -> tuple[F32, bool]:
    """``model_input`` for one uint8 crop, with the same result, faster: the level mapping
    is monotone, so it is evaluated on the 256 grey values only and the crop is compared
    with the resulting cut once (no float copy of the crop)."""
    raw = np.asarray(crop)
    if raw.dtype != np.uint8 or raw.ndim != 2:
        x, ok = model_input(raw, threshold)
        return x[0, 0], bool(ok[0])
    import cv2

    cum = np.cumsum(cv2.calcHist([raw], [0], None, [256], [0, 256]).ravel())
    lo_k, hi_k = _level_ranks(raw.size)
    lo = np.float32(np.count_nonzero(cum <= lo_k))
    hi = np.float32(np.count_nonzero(cum <= hi_k))
    if hi - lo < MIN_CONTRAST:
        return np.zeros(raw.shape, np.float32), False
    scale = np.float32(REF_BACKGROUND - REF_TEXT) / max(hi - lo, np.float32(1.0))
    dark = (_GREYS - lo) * scale + np.float32(REF_TEXT) < threshold
    cut = int(np.count_nonzero(dark))  # dark is True exactly for grey values below the cut
    return (raw < cut).astype(np.float32), True


_GREYS = np.arange(256, dtype=np.float32)
