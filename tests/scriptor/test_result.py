"""The scriptor's result votes over result screens the simulator draws (the real game's
card), clean and as capture spoils them."""

from __future__ import annotations

import numpy as np

from services.scriptor.result import ResultVotes, as_reading, read_fields
from services.simulator.perturb import Perturbation, perturb
from services.simulator.screens import ResultCounts, ScreenView, render
from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all

SONGS = tuple(load_songs_all(SHIPPED_SONGS_ALL).values())
COUNTS = ResultCounts(
    perfect=1173, great=30, good=23, bad=9, miss=4, fast=16, slow=6, combo=564, score=2933027,
    difficulty="hard", level=19, title="Orange",
)  # fmt: skip
NOTES = 1173 + 30 + 23 + 9 + 4
JUDGED = {"perfect": 1173, "great": 30, "good": 23, "bad": 9, "miss": 4, "fast": 16, "slow": 6}


def test_a_clean_result_screen_reads_exactly() -> None:
    values = read_fields(render(ScreenView(state="award", result=COUNTS)), SONGS)
    assert values == {
        **JUDGED, "max_combo": 564, "score": 2933027, "difficulty": "hard", "level": 19,
        "song_id": 316, "title": "Orange",
    }  # fmt: skip
    reading = as_reading(values, NOTES)
    assert reading is not None and reading.total == NOTES
    assert (reading.song_id, reading.max_combo, reading.score) == (316, 564, 2933027)


def test_a_reading_that_does_not_add_up_to_the_chart_is_refused() -> None:
    values = read_fields(render(ScreenView(state="award", result=COUNTS)))
    assert as_reading(values, NOTES + 1) is None
    assert as_reading({**values, "miss": None}, NOTES) is None


def test_votes_over_spoilt_frames_agree_with_what_was_drawn() -> None:
    frame = render(ScreenView(state="award", result=COUNTS))
    rng = np.random.default_rng(3)
    spoil = Perturbation(brightness=0.1, noise=3, jpeg_quality=80, shift=2)
    votes = ResultVotes(note_count=NOTES, songs=SONGS)
    reading = None
    for _ in range(5):
        reading = votes.add(perturb(frame, spoil, rng)) or reading
    assert reading is not None
    assert reading.counts == {"perfect": 1173, "great": 30, "good": 23, "bad": 9, "miss": 4}
    assert (reading.fast, reading.slow, reading.song_id, reading.level) == (16, 6, 316, 19)


def test_a_screen_without_numbers_gives_no_reading() -> None:
    votes = ResultVotes(note_count=NOTES)
    assert votes.add(render(ScreenView(state="main_page"))) is None
