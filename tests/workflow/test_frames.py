"""Saved frames: names, listing, labelling into the UI dataset, and Record's disk bound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared import saved_frames as frames
from shared.config.workflow import FrameFolder


def test_names_sort_by_time_and_carry_the_state() -> None:
    a = frames.frame_name(datetime(2026, 12, 1, 9, 5, 7, 123000, tzinfo=UTC), "ready")
    b = frames.frame_name(datetime(2026, 12, 1, 9, 5, 8, 0, tzinfo=UTC), "main page/../x", 7)
    assert a == "20261201-090507-123_ready.png"
    assert b == "20261201-090508-000_main-page-x_0007.png"  # nothing that could leave the folder
    assert sorted([b, a]) == [a, b]


def test_folders_are_the_ones_the_recognition_tasks_read(tmp_path: Path) -> None:
    assert frames.folder(tmp_path, FrameFolder.ui_inbox) == tmp_path / "ui_recognition" / "inbox"
    song = frames.folder(tmp_path, FrameFolder.song_screenshots)
    assert song == tmp_path / "song_recognition" / "screenshots"


def test_labelling_moves_the_frame_and_refuses_unknown_labels(tmp_path: Path) -> None:
    inbox = frames.folder(tmp_path, FrameFolder.ui_inbox)
    src = frames.save_frame(inbox, b"\x89PNG fake", "f.png")
    with pytest.raises(ValueError, match="unknown UI state 'redy'"):
        frames.label_frame(tmp_path, src, "redy")
    assert src.exists()  # bad input loses nothing
    moved = frames.label_frame(tmp_path, src, "ready")
    assert moved == tmp_path / "ui_recognition" / "imgs" / "ready" / "f.png" and not src.exists()
    again = frames.label_frame(tmp_path, frames.save_frame(inbox, b"2", "f.png"), "ready")
    assert again.name == "f-1.png" and moved.read_bytes() == b"\x89PNG fake"  # not overwritten
    assert frames.list_frames(inbox) == []


@pytest.mark.parametrize(
    ("wanted", "frame", "free", "keep", "fits"),
    [
        (100, 1000, 1_000_000, 0, 100),  # plenty
        (100, 1000, 50_000, 10_000, 40),  # 40 KB of room
        (100, 1000, 10_000, 10_000, 0),  # at the floor already
        (100, 1000, 5_000, 10_000, 0),  # below it
    ],
)
def test_record_is_bounded_by_free_disk(wanted: int, frame: int, free: int, keep: int, fits: int) -> None:
    assert frames.record_budget(wanted, frame, free, keep) == fits
