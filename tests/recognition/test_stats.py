"""The similarity statistics count every sampled pair."""

from __future__ import annotations

import numpy as np

from services.recognition.song.stats import similarity_histogram


def test_rounding_past_plus_minus_one_is_counted_in_the_end_bins() -> None:
    # Identical titles (389/462) give a float32 cosine a hair above 1.
    sims = np.array([1.0000001, -1.0000001, 0.0, 0.5, 1.0], np.float32)
    counts, edges = similarity_histogram(sims, bins=4)
    assert counts.sum() == len(sims)
    assert counts.tolist() == [1, 0, 1, 3]
    assert edges[0] == -1.0 and edges[-1] == 1.0
