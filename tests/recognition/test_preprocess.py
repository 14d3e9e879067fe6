from __future__ import annotations

import numpy as np
import pytest

from services.recognition.song.preprocess import (
    TITLE_REGIONS,
    binarize,
    model_input,
    normalize_levels,
    title_crops,
)
from shared.title_render import render_title


def test_levels_are_invariant_to_brightness_gain_and_offset() -> None:
    crop = render_title("テスト title")
    base = binarize(normalize_levels(crop)[0])
    for gain, off in ((0.75, -35), (1.25, 35), (0.8, 20)):
        changed = np.clip(crop.astype(np.float32) * gain + off, 0, 255).astype(np.uint8)
        got = binarize(normalize_levels(changed)[0])
        assert np.mean(got != base) < 0.01, (gain, off)  # only clipping at 255 changes edges
    # A fixed threshold on raw pixels fails on the dark case: that is why levels come first.
    dark = np.clip(crop.astype(np.float32) * 0.75 - 35, 0, 255)
    assert np.mean((dark < 160) != (crop < 160)) > 0.3


def test_blank_crop_has_no_text() -> None:
    x, ok = model_input(np.full((36, 450), 200, np.uint8))
    assert x.shape == (1, 1, 36, 450) and not ok[0] and float(x.sum()) == 0.0


def test_screenshot_gives_both_title_regions() -> None:
    screen = np.full((720, 1280), 255, np.uint8)
    crop = render_title("Screenshot")
    x1, y1, x2, y2 = TITLE_REGIONS[1]
    screen[y1:y2, x1:x2] = crop
    crops = title_crops(screen)
    assert len(crops) == 2 and np.array_equal(crops[1], crop)
    colour = np.stack([screen] * 3, axis=2)
    assert np.array_equal(title_crops(colour)[1], crop)


def test_wrong_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="36x450"):
        title_crops(np.zeros((40, 450), np.uint8))


def test_crop_mask_equals_the_batch_path() -> None:
    from services.recognition.song.augment import HARD, perturb
    from services.recognition.song.preprocess import crop_mask

    rng = np.random.default_rng(5)
    crops = perturb(np.stack([render_title(t) for t in ("テスト title", "閃光", "Returns")] * 8), HARD, rng)
    for crop in [*crops, np.full((36, 450), 200, np.uint8)]:
        x, ok = model_input(crop)
        mask, has_text = crop_mask(crop)
        assert has_text == bool(ok[0])
        if has_text:
            assert np.array_equal(mask, x[0, 0])
