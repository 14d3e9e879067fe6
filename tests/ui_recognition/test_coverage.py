"""The UI Recognition tab's coverage: frames per state from imgs/, recent placements from
the scriptor's record (kept across runs, written atomically, unreadable = empty)."""

from __future__ import annotations

from pathlib import Path

from services.recognition.ui.dataset import add_frame, dataset_dir
from shared.screen_coverage import PLACEMENTS, PlacementLog, coverage
from shared.screens import UI_STATES


def test_frames_and_recent_placements_per_state(tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        add_frame(b"\x89PNG not decoded here", dataset_dir(tmp_path), "award", name)
    now = [0.0]
    log = PlacementLog(tmp_path, clock=lambda: now[0])
    log.note("award", 0.9, "award")  # the first note writes
    log.note("award", 0.7, "award")  # within 5 s: kept in memory only
    log.note("unknown", 0.3, "choose")
    rows = {r.state: r for r in coverage(tmp_path)}
    assert [r.state for r in coverage(tmp_path)] == list(UI_STATES)
    assert rows["award"].frames == 2 and rows["award"].placed == 1
    now[0] = 10.0
    log.note("award", 0.8, "award")
    rows = {r.state: r for r in coverage(tmp_path)}
    assert (rows["award"].placed, rows["award"].mean_confidence, rows["award"].min_confidence) == (
        3,
        0.8,
        0.7,
    )
    assert rows["choose"].unplaced_near == 1 and rows["choose"].placed == 0
    assert rows["story"].frames == 0 and rows["story"].mean_confidence is None
    again = PlacementLog(tmp_path)  # the next run goes on from the record
    assert list(again.placed["award"]) == [0.9, 0.7, 0.8]


def test_an_unreadable_record_reads_as_no_placements(tmp_path: Path) -> None:
    (tmp_path / PLACEMENTS).parent.mkdir(parents=True)
    (tmp_path / PLACEMENTS).write_text("{not json")
    assert all(r.placed == 0 for r in coverage(tmp_path))
    log = PlacementLog(tmp_path)
    log.note("award", 0.95, "award")
    assert {r.state: r for r in coverage(tmp_path)}["award"].placed == 1
