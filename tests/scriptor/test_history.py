"""The play history file: records round-trip, a torn last line is skipped, not fatal."""

from __future__ import annotations

from pathlib import Path

from shared.play_history import PlayRecord, append, history_path, read


def _rec(song: int, miss: int = 0) -> PlayRecord:
    counts = {"perfect": 100 - miss, "great": 0, "good": 0, "bad": 0, "miss": miss}
    return PlayRecord(song_id=song, title=f"song {song}", difficulty="expert", mode="Free", counts=counts)


def test_records_round_trip_in_order(tmp_path: Path) -> None:
    append(tmp_path, _rec(1))
    append(tmp_path, _rec(2, miss=3))
    rows = read(tmp_path)
    assert [r.song_id for r in rows] == [1, 2]
    assert rows[1].counts["miss"] == 3 and rows[1].difficulty == "expert"
    assert [r.song_id for r in read(tmp_path, limit=1)] == [2]


def test_a_torn_line_is_skipped_and_later_records_still_land(tmp_path: Path) -> None:
    append(tmp_path, _rec(1))
    with history_path(tmp_path).open("ab") as f:
        f.write(b'{"song_id": 7, "tit')  # a crash mid-write
    append(tmp_path, _rec(3))
    assert [r.song_id for r in read(tmp_path)] == [1, 3]


def test_all_perfect_needs_a_clear_and_no_other_judgement() -> None:
    assert _rec(1).all_perfect
    assert not _rec(1, miss=1).all_perfect
    counts = {"perfect": 5}
    failed = PlayRecord(song_id=1, title="", difficulty="expert", mode="Free", counts=counts, cleared=False)
    assert not failed.all_perfect


def test_no_file_is_an_empty_history(tmp_path: Path) -> None:
    assert read(tmp_path) == []
