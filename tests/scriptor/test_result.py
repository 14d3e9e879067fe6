"""The result reader on result screens the simulator draws, clean and as capture spoils them."""

from __future__ import annotations

import numpy as np

from services.scriptor.result import ResultVotes, as_reading, read_fields
from services.simulator.perturb import Perturbation, perturb
from services.simulator.screens import ResultCounts, ScreenView, render

COUNTS = ResultCounts(
    perfect=1173, great=30, good=23, bad=9, miss=4, fast=16, slow=6, combo=564, score=2933027
)
NOTES = 1173 + 30 + 23 + 9 + 4


def test_a_clean_result_screen_reads_exactly() -> None:
    values = read_fields(render(ScreenView(state="award", result=COUNTS)))
    assert values == {"perfect": 1173, "great": 30, "good": 23, "bad": 9, "miss": 4, "fast": 16, "slow": 6}
    reading = as_reading(values, NOTES)
    assert reading is not None and reading.total == NOTES


def test_a_reading_that_does_not_add_up_to_the_chart_is_refused() -> None:
    values = read_fields(render(ScreenView(state="award", result=COUNTS)))
    assert as_reading(values, NOTES + 1) is None
    assert as_reading({**values, "miss": None}, NOTES) is None


def test_votes_over_spoilt_frames_agree_with_what_was_drawn() -> None:
    frame = render(ScreenView(state="award", result=COUNTS))
    rng = np.random.default_rng(3)
    spoil = Perturbation(brightness=0.1, noise=3, jpeg_quality=80, shift=2)
    votes = ResultVotes(note_count=NOTES)
    reading = None
    for _ in range(5):
        reading = votes.add(perturb(frame, spoil, rng)) or reading
    assert reading is not None
    assert reading.counts == {"perfect": 1173, "great": 30, "good": 23, "bad": 9, "miss": 4}
    assert (reading.fast, reading.slow) == (16, 6)


def test_a_screen_without_numbers_gives_no_reading() -> None:
    votes = ResultVotes(note_count=NOTES)
    assert votes.add(render(ScreenView(state="main_page"))) is None
