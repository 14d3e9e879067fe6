"""perturb: bounded like capture, and seeded."""

from __future__ import annotations

import numpy as np
import pytest

from services.simulator import screens as S
from services.simulator.perturb import Perturbation, perturb

FRAME = S.render(S.ScreenView("main_page"))
CAPTURE = Perturbation(brightness=0.1, noise=4.0, jpeg_quality=80, shift=3, scale=0.01)


def test_seeded_same_shape_and_different_per_seed() -> None:
    a = perturb(FRAME, CAPTURE, np.random.default_rng(5))
    b = perturb(FRAME, CAPTURE, np.random.default_rng(5))
    c = perturb(FRAME, CAPTURE, np.random.default_rng(6))
    assert a.shape == FRAME.shape and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.abs(a.astype(int) - FRAME).mean() < 25  # still the same screen


def test_nothing_enabled_is_an_exact_copy() -> None:
    out = perturb(FRAME, Perturbation(), np.random.default_rng(0))
    assert np.array_equal(out, FRAME) and out is not FRAME


def test_brightness_is_bounded() -> None:
    rng = np.random.default_rng(1)
    for _ in range(10):
        out = perturb(FRAME, Perturbation(brightness=0.2), rng)
        ratio = out.astype(float).mean() / FRAME.astype(float).mean()
        assert 0.79 <= ratio <= 1.21


def test_shift_is_at_most_the_given_pixels() -> None:
    rng = np.random.default_rng(2)
    f = FRAME.astype(np.int32)
    for _ in range(5):
        out = perturb(FRAME, Perturbation(shift=3), rng).astype(np.int32)
        errs = {
            (dx, dy): np.abs(out[200 + dy : 700 + dy, 100 + dx : 1200 + dx] - f[200:700, 100:1200]).mean()
            for dx in range(-5, 6)
            for dy in range(-5, 6)
        }
        (dx, dy), err = min(errs.items(), key=lambda kv: kv[1])
        assert err == 0 and abs(dx) <= 3 and abs(dy) <= 3


def test_noise_has_about_the_given_std() -> None:
    grey = np.full((720, 1280, 3), 128, np.uint8)
    out = perturb(grey, Perturbation(noise=6.0), np.random.default_rng(3)).astype(float)
    assert 5.5 < out.std() < 6.5


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="jpeg_quality"):
        Perturbation(jpeg_quality=0)
    with pytest.raises(ValueError, match="brightness"):
        Perturbation(brightness=-0.1)
    with pytest.raises(ValueError, match="expected an HxWx3 uint8 frame"):
        perturb(FRAME[:, :, 0], Perturbation(), np.random.default_rng(0))
