"""The right song or none: why a song is skipped (the real cause), and a result that is not
the play's chart recorded as a wrong song, never as cleared."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from services.scriptor import loop, verify
from services.scriptor.actions import back
from services.scriptor.flows import START
from services.scriptor.memory import Pending
from services.scriptor.result import ResultReading
from services.simulator.screens import ResultCounts, SongCard
from shared import play_history as history
from shared.catalog import shown_title
from tests.scriptor.loop_helpers import ScriptedDevice, ctx_of, make


def test_the_skip_names_the_real_cause() -> None:
    s = verify.no_chart(570, "ロキ", 3, True, "match (score 0.93)")
    assert s.kind == "no_chart" and "recognised" in s.message and "not recognised" not in s.message
    assert "Expert chart is not in the data dir" in s.message and "fetch" in s.message
    n = verify.no_chart(570, "ロキ", 4, False, "match")
    assert n.kind == "no_difficulty" and "has no Special difficulty" in n.message


def test_a_result_is_checked_against_the_play() -> None:
    counts = {"perfect": 16, "great": 0, "good": 0, "bad": 0, "miss": 611}
    why = verify.result_mismatch(counts, 683, None, {"song_id": 316})
    assert "the result counts 627 notes, the chart played has 683" in why
    assert verify.result_mismatch({"perfect": 683}, 683, None, {"song_id": 316}) == ""
    shown = SimpleNamespace(song_id=676, difficulty="expert", level=26)
    why = verify.result_mismatch(
        {"perfect": 683}, 683, shown, {"song_id": 316, "difficulty": "expert", "level": 25}
    )
    assert (
        "song id 676, the play was 316" in why
        and "level 26, the play was 25" in why
        and "difficulty" not in why
    )


def test_a_recognised_song_without_its_chart_is_said_as_such_and_skipped(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready")
    s = make(tmp_path, dev, guess=1, is_checking_3d=False, level="Hard")  # only expert is stored
    s.cycle()
    warnings = ctx_of(s).warnings()
    assert any("recognised" in w and "Hard chart is not in the data dir" in w for w in warnings), warnings
    assert not any("not recognised surely" in w for w in warnings)
    assert not (
        tmp_path / "song_recognition" / "screenshots"
    ).exists()  # it was recognised: no frame for add_song
    assert s.pending is None and dev.taps == [
        (back("ready").x, back("ready").y)
    ]  # back to song select, another song next


class NoVotes:
    """A result screen whose judgements never add up to the chart's notes."""

    note_count: int | None = None

    def __init__(self) -> None:
        self.frames = 0
        self.songs = ()

    def add(self, frame: Any) -> None:
        self.frames += 1


def test_a_result_of_another_chart_is_a_wrong_song_not_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)
    s.cycle()
    p = s.pending
    assert isinstance(p, Pending)
    notes = p.chart.note_count
    s.cycle()  # playing
    p.votes = NoVotes()  # type: ignore[assignment]
    p.votes.note_count = notes
    other = ResultReading({"perfect": 16, "great": 0, "good": 0, "bad": 0, "miss": notes + 40}, 0, 0)
    monkeypatch.setattr(loop, "read_fields", lambda frame, songs=(): {})
    monkeypatch.setattr(loop, "as_reading", lambda values, note_count=None: other)
    dev.state = "award"
    for _ in range(loop.RESULT_FRAMES):
        s.cycle()
        s.tapped_on = None
    (row,) = history.read(tmp_path)
    assert row.wrong_song and not row.cleared and not row.all_perfect
    assert f"the chart played has {notes}" in row.note
    assert any("wrong song?" in w for w in ctx_of(s).warnings())


def test_giving_up_on_unknown_screens_right_after_a_model_change_says_so(tmp_path: Path) -> None:
    from shared.task_context import TaskError

    model = tmp_path / "ui_recognition" / "models" / "banguinet.onnx"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"a model trained a minute ago")
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev)
    s.t.ui_model = model
    with pytest.raises(TaskError, match=r"screen model was replaced 0\.0 h ago") as err:
        s._give_up("unknown screen for 60 s; still stuck after 2 restarts of the game")
    assert "go back to the shipped model" in str(err.value)
    s.t.ui_model = None  # the shipped model: nothing to point at
    with pytest.raises(TaskError) as err2:
        s._give_up("unknown screen for 60 s; still stuck after 2 restarts of the game")
    assert "screen model" not in str(err2.value)


def test_the_ready_screen_disagreeing_with_the_chart_is_said_field_by_field() -> None:
    shown = SimpleNamespace(difficulty="expert", level=26)
    s = verify.ready_mismatch(shown, 316, "オレンジ", 3, 25)
    assert s is not None and s.kind == "mismatch"
    assert "316 (オレンジ) Expert lv 25 was chosen" in s.message and "shows level 26" in s.message
    assert "difficulty" not in s.message.split("shows")[1]
    s = verify.ready_mismatch(SimpleNamespace(difficulty="hard", level=None), 316, "オレンジ", 3, 25)
    assert s is not None and "shows difficulty hard" in s.message
    # What is not read (or not known) is not held against the chart.
    assert verify.ready_mismatch(SimpleNamespace(difficulty="expert", level=25), 316, "t", 3, 25) is None
    assert verify.ready_mismatch(SimpleNamespace(difficulty=None, level=None), 316, "t", 3, 25) is None
    assert verify.ready_mismatch(SimpleNamespace(difficulty="expert", level=26), 316, "t", 3, 0) is None
    assert verify.ready_mismatch(None, 316, "t", 3, 25) is None


def ready_song(difficulty: int, level: int) -> SongCard:
    return SongCard(1, np.full((36, 450), 225, np.uint8), {difficulty: level}, difficulty)


@pytest.mark.parametrize(("shown", "why"), [((3, 23), "shows level 23"), ((2, 22), "shows difficulty hard")])
def test_a_ready_screen_showing_another_chart_is_skipped_not_played(
    tmp_path: Path, shown: tuple[int, int], why: str
) -> None:
    """Song 1's Expert chart is level 22; the screen shows another level or difficulty."""
    dev = ScriptedDevice("ready", song=ready_song(*shown))
    s = make(tmp_path, dev, guess=1, is_checking_3d=False)
    s.cycle()
    warnings = ctx_of(s).warnings()
    assert any(why in w and "not played" in w and "skipped" in w for w in warnings), warnings
    assert s.pending is None and dev.taps == [(back("ready").x, back("ready").y)]


def test_a_ready_screen_showing_the_chart_is_played(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", song=ready_song(3, 22))
    s = make(tmp_path, dev, guess=1, is_checking_3d=False)
    s.cycle()
    assert s.pending is not None and dev.taps[-1] == (START.x, START.y), ctx_of(s).warnings()


def play_to_result(tmp_path: Path, card: dict[str, Any]) -> history.PlayRecord:
    """Song 1 Expert (level 22, its title drawn as the game shows it) played, then a result
    card with every note Perfect and the top bar ``card`` read off the drawn screen."""
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)
    s.cycle()
    assert isinstance(s.pending, Pending)
    notes = s.pending.chart.note_count
    s.cycle()  # playing
    dev.state = "award"
    title = shown_title(s.t.catalog.get(1).title)  # type: ignore[union-attr]
    dev.result = ResultCounts(notes, 0, 0, 0, 0, 0, 0, combo=notes, score=1000, title=title, **card)
    for _ in range(loop.RESULT_FRAMES):
        if history.read(tmp_path):
            break
        s.cycle()
    (row,) = history.read(tmp_path)
    return row


def test_a_result_showing_the_plays_difficulty_and_level_is_cleared(tmp_path: Path) -> None:
    row = play_to_result(tmp_path, {"difficulty": "expert", "level": 22})
    assert row.cleared and not row.wrong_song and row.result_song_id == 1, row


@pytest.mark.parametrize(
    ("card", "why"),
    [
        ({"difficulty": "hard", "level": 22}, "the result shows difficulty hard, the play was expert"),
        ({"difficulty": "expert", "level": 23}, "the result shows level 23, the play was 22"),
    ],
)
def test_a_result_of_another_difficulty_or_level_is_a_wrong_song(
    tmp_path: Path, card: dict[str, Any], why: str
) -> None:
    """The judgements add up to the chart's notes: only the top bar tells the chart apart."""
    row = play_to_result(tmp_path, card)
    assert row.wrong_song and not row.cleared and why in row.note, row
