"""The recogniser's verification: the vectorised strip search must give OpenCV's
normalised correlation, and a clear match must not need the half-size search."""

from __future__ import annotations

import cv2
import numpy as np

from services.recognition.song import classical as C
from services.recognition.song.augment import HARD, USER, perturb
from services.recognition.song.preprocess import crop_mask
from shared.title_render import render_title


def _masks(text: str, p: object, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    crops = perturb(np.repeat(render_title(text)[None], n, axis=0), p, rng)  # type: ignore[arg-type]
    return [crop_mask(c)[0] for c in crops]


def _reference_score(q: np.ndarray, ref: np.ndarray, gy: int, gx: int) -> float:
    """The same strip score with cv2.matchTemplate, one strip at a time."""
    pq = C.prepare_query(C.blur_mask(q))
    r = C.prepare_ref(ref)
    blurred = C.blur_mask(ref)
    score = weight = 0.0
    for a, ink in zip(r.x0, r.inks.tolist(), strict=True):
        strip = np.ascontiguousarray(blurred[:, a : a + 150])
        y0, x0 = C._PY + gy - C._SY, C._PX + gx + a - C._SX
        window = pq.padded[y0 : y0 + 36 + 2 * C._SY, x0 : x0 + 150 + 2 * C._SX]
        score += ink * float(cv2.matchTemplate(window, strip, cv2.TM_CCOEFF_NORMED).max())
        weight += ink
    return score / weight


def test_strip_scores_equal_opencv_matchtemplate() -> None:
    ref = crop_mask(render_title("ふわふわ時間 テスト"))[0]
    other = crop_mask(render_title("全く別の曲"))[0]
    for q in [*_masks("ふわふわ時間 テスト", HARD, 4, 1), other]:
        pq = C.prepare_query(C.blur_mask(q))
        for gy, gx in ((0, 0), (2, -6), (-4, 12)):
            got = C._strips_score(pq, C.prepare_ref(ref), gy, gx)
            assert abs(got - _reference_score(q, ref, gy, gx)) < 1e-4


def test_box_alignment_first_gives_the_same_decision() -> None:
    mask = crop_mask(render_title("Returns 2nd"))[0]
    ref, ref_boxed = C.prepare_ref(mask), C.prepare_ref(mask, C.text_box(mask))
    for q in _masks("Returns 2nd", USER, 6, 2):
        full = C.verify_prepared(C.prepare_query(C.blur_mask(q)), ref)
        quick = C.verify_prepared(C.prepare_query(C.blur_mask(q), box=C.text_box(q)), ref_boxed, enough=0.74)
        assert full > 0.9 and quick > 0.9 and abs(full - quick) < 0.05
    # A different title: below the bar either way (the quick path then also runs the search).
    q = crop_mask(render_title("Something else"))[0]
    quick = C.verify_prepared(C.prepare_query(C.blur_mask(q), box=C.text_box(q)), ref_boxed, enough=0.74)
    assert quick < 0.74 and quick >= C.verify_prepared(C.prepare_query(C.blur_mask(q)), ref) - 1e-6
