"""The classical baseline: binarise, align, correlate (no learning).

Each crop is binarised like the model's input, its text bounding box is moved to a fixed
corner (undoing shifts), blurred and down-sampled (tolerance to a pixel of misalignment and
to stroke-width changes), then compared by normalised cross-correlation (a dot product of
zero-mean unit vectors)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.song.preprocess import H, W, binarize, normalize_levels

FEAT_H, FEAT_W = 18, 225
Box = tuple[int, int, int, int]  # text bounding box: first row, last row, first col, last col


def text_box(mask: npt.NDArray[np.float32] | npt.NDArray[np.uint8]) -> Box | None:
    """The bounding box of a binarised crop's text (isolated noisy pixels ignored); the
    mask as 0/1 floats or uint8."""
    clean = cv2.medianBlur(mask if mask.dtype == np.uint8 else (mask > 0.5).astype(np.uint8), 3)
    rows = np.flatnonzero(clean.max(1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(clean.max(0))
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def _box(mask: npt.NDArray[np.float32], box: Box | None = None) -> npt.NDArray[np.float32] | None:
    """The text's bounding box (isolated noisy pixels ignored for the box)."""
    b = box if box is not None else text_box(mask)
    if b is None:
        return None
    return mask[b[0] : b[1] + 1, b[2] : b[3] + 1]


def features(batch: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Raw grey crops (N, 36, 450) -> (N, 18*225) zero-mean unit vectors. Alignment maps the
    text's bounding box onto the whole feature grid, which undoes shifts and small scale
    changes alike."""
    return mask_features(binarize(normalize_levels(batch)[0]))


def mask_features(masks: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``features`` from already binarised crops (N, 36, 450)."""
    out = np.zeros((len(masks), FEAT_H * FEAT_W), np.float32)
    for i, m in enumerate(masks):
        out[i] = box_feature(m)
    return out


def box_feature(mask: npt.NDArray[np.float32], text: Box | None = None) -> npt.NDArray[np.float32]:
    """``mask_features`` of one binarised crop (36, 450) -> (18*225,); ``text``: its
    ``text_box`` when already known."""
    box = _box(mask, text)
    if box is None:
        return np.zeros(FEAT_H * FEAT_W, np.float32)
    a = cv2.GaussianBlur(box, (0, 0), 1.0)
    small = np.asarray(cv2.resize(a, (FEAT_W, FEAT_H), interpolation=cv2.INTER_AREA), np.float32).reshape(-1)
    small -= small.mean()
    n = float(np.linalg.norm(small))
    return small / n if n > 0 else small


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


def blur_mask(mask: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The verification image of one binarised crop."""
    return np.asarray(cv2.GaussianBlur(mask, (0, 0), 0.7), dtype=np.float32)


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
# Padding of the full-size query: the largest global shift plus the strip search.
_PY, _PX = 2 * _VY + _SY, 2 * _VX + _SX


@dataclass
class VerifyRef:
    """A reference crop prepared once for ``verify_prepared`` (per song, not per query)."""

    mask: npt.NDArray[np.uint8]  # the binarised crop, 0/1 (compact; the rest derives from it)
    strips: npt.NDArray[np.float32]  # (S, 36, 150) zero-mean blurred strips with enough ink
    x0: tuple[int, ...]  # their first columns
    norms: npt.NDArray[np.float32]  # (S,) their L2 norms
    inks: npt.NDArray[np.float32]  # (S,) their ink: the weights of their scores
    box: Box | None
    ok: bool  # False: no text to compare
    _half: npt.NDArray[np.float32] | None = None

    @property
    def blurred(self) -> npt.NDArray[np.float32]:
        return blur_mask(self.mask.astype(np.float32))

    @property
    def half(self) -> npt.NDArray[np.float32]:
        """Half-size blurred mask, for the global shift search (made when first needed)."""
        if self._half is None:
            self._half = _half(self.blurred)
        return self._half


@dataclass
class VerifyQuery:
    """A query prepared once and compared with any number of references."""

    blurred: npt.NDArray[np.float32]
    padded: npt.NDArray[np.float32]
    box: Box | None
    ok: bool
    _padded_half: npt.NDArray[np.float32] | None = None
    _integrals: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None

    @property
    def integrals(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Integral images of ``padded`` and of its square (window means and energies)."""
        if self._integrals is None:
            sums, sqsums = cv2.integral2(self.padded, sdepth=cv2.CV_64F, sqdepth=cv2.CV_64F)
            self._integrals = (np.asarray(sums, np.float64), np.asarray(sqsums, np.float64))
        return self._integrals

    @property
    def padded_half(self) -> npt.NDArray[np.float32]:
        if self._padded_half is None:
            self._padded_half = np.asarray(
                cv2.copyMakeBorder(_half(self.blurred), _VY, _VY, _VX, _VX, cv2.BORDER_CONSTANT, value=0.0),
                np.float32,
            )
        return self._padded_half


def prepare_ref(mask: npt.NDArray[np.float32], box: Box | None = None) -> VerifyRef:
    """``mask``: a binarised crop (36, 450); ``box``: its ``text_box``, if known."""
    ref = blur_mask(mask)
    m8 = (mask > 0.5).astype(np.uint8)
    none = np.zeros(0, np.float32)
    if float(ref.std()) < 1e-6:
        return VerifyRef(m8, np.zeros((0, H, W // _SEGMENTS), np.float32), (), none, none, None, False)
    bounds = np.linspace(0, W, _SEGMENTS + 1).astype(int)
    total_ink = float(ref.sum())
    strips, x0, inks = [], [], []
    for a, b in itertools.pairwise(bounds):
        strip = ref[:, a:b]
        ink = float(strip.sum())
        if ink < 0.02 * total_ink or float(strip.std()) < 1e-6:
            continue
        strips.append(strip - strip.mean())
        x0.append(int(a))
        inks.append(ink)
    st = np.stack(strips).astype(np.float32)
    norms = np.sqrt((st.astype(np.float64) ** 2).sum(axis=(1, 2))).astype(np.float32)
    return VerifyRef(m8, st, tuple(x0), norms, np.asarray(inks, np.float32), box, True)


def prepare_query(
    query: npt.NDArray[np.float32], *, has_ink: bool | None = None, box: Box | None = None
) -> VerifyQuery:
    """``query``: a blurred mask (``blur_mask``). ``has_ink``: the caller already knows
    whether the mask is non-constant; ``box``: the mask's ``text_box``, if known (a first
    guess of the alignment)."""
    if not has_ink if has_ink is not None else float(query.std()) < 1e-6:
        return VerifyQuery(query, query[:1, :1], None, False)
    full = np.asarray(
        cv2.copyMakeBorder(query, _PY, _PY, _PX, _PX, cv2.BORDER_CONSTANT, value=0.0), np.float32
    )
    return VerifyQuery(query, full, box, True)


def _strips_score(q: VerifyQuery, ref: VerifyRef, gy: int, gx: int, sy: int = _SY, sx: int = _SX) -> float:
    """Ink-weighted mean over the strips of each strip's best normalised correlation
    (TM_CCOEFF_NORMED) over +-_SY / +-_SX around the global shift (gy, gx); all strips in
    one einsum instead of one FFT-based matchTemplate each."""
    if not len(ref.strips):
        return 0.0
    sh, sw = ref.strips.shape[1:]
    y0 = _PY + gy - sy
    xs = [_PX + gx + a - sx for a in ref.x0]
    windows = np.stack([q.padded[y0 : y0 + sh + 2 * sy, x : x + sw + 2 * sx] for x in xs])
    views = np.lib.stride_tricks.sliding_window_view(windows, (sh, sw), axis=(1, 2))
    num = np.einsum("sabij,sij->sab", views, ref.strips)
    # Window sums and energies from the integral images: (S, 2*_SY+1, 2*_SX+1).
    ys = (y0 + np.arange(2 * sy + 1))[None, :, None]
    xx = np.asarray(xs)[:, None, None] + np.arange(2 * sx + 1)[None, None, :]
    n = float(sh * sw)

    def box_sum(ii: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(ii[ys + sh, xx + sw] - ii[ys, xx + sw] - ii[ys + sh, xx] + ii[ys, xx])

    sums, sqsums = q.integrals
    s1 = box_sum(sums)
    var = np.maximum(box_sum(sqsums) - s1 * s1 / n, 0.0)
    den = np.sqrt(var) * ref.norms[:, None, None]
    ncc = np.where(den > 1e-6, num / np.maximum(den, 1e-12), 0.0)
    best = np.clip(ncc.reshape(len(ref.x0), -1).max(axis=1), -1.0, 1.0)
    return float((best * ref.inks).sum() / ref.inks.sum())


def _aligned_score(q: VerifyQuery, ref: VerifyRef, gy: int, gx: int) -> float:
    """``_strips_score`` with no search: every strip at the shift (gy, gx) exactly."""
    if not len(ref.strips):
        return 0.0
    sh, sw = ref.strips.shape[1:]
    y0 = _PY + gy
    win = np.stack([q.padded[y0 : y0 + sh, _PX + gx + a : _PX + gx + a + sw] for a in ref.x0])
    num = np.einsum("sij,sij->s", win, ref.strips)
    s1 = win.sum(axis=(1, 2), dtype=np.float64)
    s2 = np.einsum("sij,sij->s", win, win, dtype=np.float64)
    den = np.sqrt(np.maximum(s2 - s1 * s1 / (sh * sw), 0.0)) * ref.norms
    ncc = np.clip(np.where(den > 1e-6, num / np.maximum(den, 1e-12), 0.0), -1.0, 1.0)
    return float((ncc * ref.inks).sum() / ref.inks.sum())


def verify_prepared(q: VerifyQuery, ref: VerifyRef, *, enough: float | None = None) -> float:
    """Shift-searched, strip-wise correlation of a query with one reference: the global
    shift is searched at half size, then each third of the reference is aligned on its own
    (+-4 px x, +-1 px y) at full size, so a slight scale change does not lower the score;
    strips are weighted by their ink.

    With ``enough`` and both text boxes known, the boxes' centres give the global shift
    first and the half-size search only runs when that score is below ``enough`` (the
    better of the two is returned): a clear match costs one strip pass."""
    if not (q.ok and ref.ok):
        return 0.0
    first = -1.0
    tried: tuple[int, int] | None = None
    if enough is not None and q.box is not None and ref.box is not None:
        by = ((q.box[0] + q.box[1]) - (ref.box[0] + ref.box[1])) // 2
        bx = ((q.box[2] + q.box[3]) - (ref.box[2] + ref.box[3])) // 2
        tried = (min(max(by, -2 * _VY), 2 * _VY), min(max(bx, -2 * _VX), 2 * _VX))
        # That exact position first (one of the strip search's positions, so a lower
        # bound of its score: ~99% of clean matches pass here), then the full search.
        first = _aligned_score(q, ref, *tried)
        if first >= enough:
            return first
        first = _strips_score(q, ref, *tried)
        if first >= enough:
            return first
    r = cv2.matchTemplate(q.padded_half, ref.half, cv2.TM_CCOEFF_NORMED)
    dy, dx = np.unravel_index(int(np.nanargmax(r)), r.shape)
    shift = (2 * (int(dy) - _VY), 2 * (int(dx) - _VX))
    return first if shift == tried else max(first, _strips_score(q, ref, *shift))
