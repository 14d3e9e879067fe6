"""A finished play's history row and whether the result is the play's, as plain data."""

from __future__ import annotations

from pathlib import Path

from services.scriptor.memory import Pending
from services.scriptor.play.plan import TouchPlan
from services.scriptor.play_record import play_record, wrong_result
from services.scriptor.result import ResultReading
from shared.catalog import load_catalog
from shared.chart.model import BpmChange, Chart
from shared.config.scriptor import ScriptorConfig
from shared.device import DeviceInfo

DEVICE = DeviceInfo("sim", "emulator-5554", True, "raw", "input")


def pending(note_count: int = 10) -> Pending:
    p = Pending(
        1, 3, Chart((BpmChange(0.0, 120.0),), ()), TouchPlan((), 0, 0, 0), played=True, offset_us=-5000
    )
    p.votes.note_count = note_count
    return p


def reading(perfect: int, song_id: int | None = None) -> ResultReading:
    return ResultReading(
        {"perfect": perfect, "great": 0, "good": 0, "bad": 0, "miss": 0}, 0, 0, song_id=song_id
    )


def test_a_reading_that_adds_up_and_names_the_song_is_the_plays() -> None:
    assert wrong_result(pending(), reading(10, song_id=1)) == (reading(10, song_id=1), "")


def test_two_agreeing_readings_of_another_note_count_are_a_wrong_song() -> None:
    p = pending()
    p.other_readings += [reading(16), reading(16)]
    full, wrong = wrong_result(p, None)
    assert full == reading(16) and "the result counts 16 notes, the chart played has 10" in wrong
    p.other_readings[-1] = reading(17)  # a misread digit: not sure of anything
    assert wrong_result(p, None) == (None, "")


def test_another_song_named_on_the_result_is_a_wrong_song() -> None:
    _, wrong = wrong_result(pending(), reading(10, song_id=2))
    assert wrong == "the result shows song id 2, the play was 1"


def test_another_difficulty_or_level_on_the_result_is_a_wrong_song() -> None:
    """Song 1 Expert at level 22: a card naming song 1 but Hard, or level 23, is not the play's."""
    p = pending()
    p.level = 22
    ok = ResultReading(reading(10).counts, 0, 0, difficulty="expert", level=22, song_id=1)
    assert wrong_result(p, ok) == (ok, "")
    hard = ResultReading(reading(10).counts, 0, 0, difficulty="hard", level=22, song_id=1)
    assert wrong_result(p, hard)[1] == "the result shows difficulty hard, the play was expert"
    other = ResultReading(reading(10).counts, 0, 0, difficulty="expert", level=23, song_id=1)
    assert wrong_result(p, other)[1] == "the result shows level 23, the play was 22"


def test_the_row_says_what_was_played_and_why_it_is_not_cleared(tmp_path: Path) -> None:
    cfg = ScriptorConfig.model_validate({"mode": "Free"})
    p = pending()
    p.untouched = "start sync failed: no start"
    row = play_record(p, None, cfg, load_catalog(tmp_path), DEVICE, cleared=False)
    assert (row.song_id, row.difficulty, row.mode, row.device, row.simulated) == (
        1,
        "expert",
        "Free",
        "emulator-5554",
        True,
    )
    assert row.counts == {} and not row.cleared and row.correction_time_us == -5000
    assert row.note == "start sync failed: no start"
    row = play_record(pending(), None, cfg, load_catalog(tmp_path), DEVICE, cleared=True)
    assert row.note == "result screen unreadable"
