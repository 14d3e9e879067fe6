"""Temperature scaling, the threshold and the centroid-distance rejection (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from services.recognition.ui.calibrate import Calibration, calibrate, fit_temperature, softmax
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
