"""The right song or none: why a song is skipped (the real cause), and a result that is not
the play's chart recorded as a wrong song, never as cleared."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from services.scriptor import loop, verify
from services.scriptor.actions import back
from services.scriptor.flows import START
from services.scriptor.memory import Pending
from services.scriptor.result import ResultReading
from shared import play_history as history
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
