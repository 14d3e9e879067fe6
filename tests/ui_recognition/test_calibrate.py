"""Temperature scaling, the threshold and the centroid-distance rejection (pure numpy)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from services.recognition.ui.calibrate import (
    Calibration,
    calibrate,
    decode_matrix,
    encode_matrix,
    fit_temperature,
    softmax,
)
from services.recognition.ui.labels import UNKNOWN_ID


def test_fit_temperature_recovers_the_scale() -> None:
    rng = np.random.default_rng(0)
    n, k = 4000, 35
    true = rng.normal(0, 1.5, (n, k)).astype(np.float32)
    labels = np.array([rng.choice(k, p=p) for p in softmax(true)])
    t = fit_temperature(true * 3.0, labels)  # over-confident logits: T should be ~3
    assert t == pytest.approx(3.0, rel=0.15)


def test_decide_rejects_low_confidence_and_far_features() -> None:
    cent = np.zeros((35, 4), np.float32)
    cent[0] = [1, 0, 0, 0]
    cent[1] = [0, 1, 0, 0]
    cal = Calibration(temperature=1.0, threshold=0.5, centroids=cent, max_dist=0.2)
    logits = np.full((4, 35), -10.0, np.float32)
    logits[0, 0] = 10  # sure, near centroid 0: accepted
    logits[1, 1] = 10  # sure, but its features are far from centroid 1: unknown
    logits[2, [0, 1]] = 0  # split between two states: under the threshold
    logits[3, UNKNOWN_ID] = 10  # the rejection class wins
    feats = np.array([[1, 0.1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0]], np.float32)
    assert cal.decide(logits, feats).tolist() == [0, UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID]


def test_calibrate_sets_distance_from_validation_spread() -> None:
    rng = np.random.default_rng(1)
    feats = np.concatenate([rng.normal([5, 0, 0], 0.2, (50, 3)), rng.normal([0, 5, 0], 0.2, (50, 3))]).astype(
        np.float32
    )
    labels = np.repeat([0, 1], 50)
    logits = np.zeros((100, 35), np.float32)
    logits[np.arange(100), labels] = 5
    cal = calibrate(logits, labels, feats, labels, feats)
    d = cal.distance(feats, labels)
    assert d.max() <= cal.max_dist < 0.5
    assert Calibration.from_meta(cal.as_meta()).max_dist == pytest.approx(cal.max_dist, abs=1e-4)
    far = np.array([[0, 0, 5]], np.float32)  # a direction no training frame has
    assert cal.distance(far, np.array([0]))[0] > cal.max_dist


def _two_states(rng: np.random.Generator, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Features of two states in 8-d: each varies along its own two directions only."""
    base = np.zeros((2, 8), np.float32)
    base[0, 0] = base[1, 1] = 1.0
    feats = np.concatenate(
        [
            base[0] + rng.normal(0, 0.1, (n, 8)) * [0, 0, 1, 1, 0, 0, 0, 0],
            base[1] + rng.normal(0, 0.1, (n, 8)) * [0, 0, 0, 0, 1, 1, 0, 0],
        ]
    ).astype(np.float32)
    return feats, np.repeat([0, 1], n)


def test_mahalanobis_rejects_moves_no_known_screen_makes() -> None:
    rng = np.random.default_rng(2)
    feats, labels = _two_states(rng)
    logits = np.zeros((len(labels), 35), np.float32)
    logits[np.arange(len(labels)), labels] = 8
    cal = calibrate(logits, labels, feats, labels, feats)
    assert cal.whiten is not None and cal.whiten.shape == (8, 8)
    inside = cal.mahalanobis(feats, labels)
    assert inside.max() <= cal.max_maha  # every calibration frame is within the limit
    # As far from state 0's centroid in angle as its own frames are, but along a direction
    # state 0 never varies in (dimension 6): near in cosine, far in the states' spread.
    assert cal.centroids is not None
    odd = cal.centroids[:1].copy()
    odd[0, 6] += 0.12
    typical = cal.centroids[:1].copy()
    typical[0, 2] += 0.12
    ids = np.array([0])
    assert cal.distance(odd, ids)[0] == pytest.approx(cal.distance(typical, ids)[0], abs=1e-3)
    assert cal.distance(odd, ids)[0] <= cal.max_dist
    assert cal.mahalanobis(odd, ids)[0] > cal.max_maha >= cal.mahalanobis(typical, ids)[0]
    sure = np.zeros((2, 35), np.float32)
    sure[:, 0] = 8
    assert cal.decide(sure, np.concatenate([odd, typical])).tolist() == [UNKNOWN_ID, 0]


def test_calibration_round_trips_through_the_model_record() -> None:
    feats, labels = _two_states(np.random.default_rng(3))
    logits = np.zeros((len(labels), 35), np.float32)
    logits[np.arange(len(labels)), labels] = 8
    cal = calibrate(logits, labels, feats, labels, feats)
    back = Calibration.from_meta(json.loads(json.dumps(cal.as_meta())))
    assert back.max_maha == pytest.approx(cal.max_maha, rel=1e-4)
    assert np.allclose(back.mahalanobis(feats, labels), cal.mahalanobis(feats, labels), rtol=2e-2)
    rec = encode_matrix(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert np.allclose(decode_matrix(rec), [[0, 1, 2], [3, 4, 5]], rtol=1e-3)
    huge = np.array([[1e5, -3e5], [2.5, 0]], np.float32)  # beyond float16's 65504
    assert np.allclose(decode_matrix(encode_matrix(huge)), huge, rtol=1e-3, atol=1e5 * 1e-3)
    with pytest.raises(ValueError, match="values"):
        decode_matrix(rec | {"shape": [3, 3]})
    with pytest.raises(ValueError, match="whiten has shape"):
        Calibration.from_meta(cal.as_meta() | {"whiten": rec})
    old = {k: v for k, v in cal.as_meta().items() if k not in ("whiten", "max_maha")}
    assert Calibration.from_meta(old).mahalanobis(feats, labels).max() == 0  # an older model: no check
