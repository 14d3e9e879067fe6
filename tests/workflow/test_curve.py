"""The first-note curve fit (services.workflow.curve) on the shipped traces and on traces
the tracer records from drawn frames."""

from __future__ import annotations

import json

import pytest

from services.workflow import curve
from services.workflow.trace import FirstNoteRecorder, NoteRecorder
from shared.data import DATA_DIR
from shared.note_detect import detect_notes
from shared.playfield import shipped_coefficients, time_to_judge
from tests.workflow.drawn import falling

DATA = DATA_DIR


def shipped(name: str) -> list[list[object]]:
    return list(json.loads((DATA / name).read_text()))


def test_refitting_the_first_note_trace_reproduces_v1() -> None:
    track = curve.first_note_track(shipped("trace_first_note.json"))  # type: ignore[arg-type]
    v1 = curve.residuals([track], shipped_coefficients("v1"))
    # Started from v2 (44 ms away from v1), the fit lands on v1's accuracy and curve.
    fit = curve.fit_curve([track], shipped_coefficients("v2"), full=True)
    assert len(track.times) == 17
    assert v1.rms_ms == pytest.approx(3.78, abs=0.01)
    assert fit.rms_ms <= v1.rms_ms + 0.01
    assert curve.max_curve_gap_ms(fit.coefficients, shipped_coefficients("v1"), 0.0, 0.7) < 1.0
    assert abs(time_to_judge(1.0, fit.coefficients)) < 1e-9  # pinned at the judge line


def test_refitting_the_note_trace_matches_v2() -> None:
    tracks = curve.note_tracks(shipped("trace_note.json"))  # type: ignore[arg-type]
    v2 = curve.residuals(tracks, shipped_coefficients("v2"))
    fit = curve.fit_curve(tracks, shipped_coefficients("v1"))
    assert len(tracks) == 9 and sum(len(t.times) for t in tracks) == 101
    assert v2.rms_ms == pytest.approx(4.54, abs=0.01)
    assert fit.rms_ms <= v2.rms_ms  # measured: 4.45 ms rms, 9.55 ms max
    assert curve.max_curve_gap_ms(fit.coefficients, shipped_coefficients("v2")) < 8.0


def test_stale_repeats_are_dropped_and_tracks_split_by_lane() -> None:
    trace = [
        [0.00, [[0.10, -0.5], [0.20, 0.5]]],
        [0.05, [[0.10, -0.5], [0.20, 0.5]]],  # the same frame again
        [0.10, [[0.20, -0.5], [0.30, 0.5]]],
        [0.15, [[0.30, -0.5], [0.40, 0.5]]],
        [0.20, [[0.40, -0.5], [0.50, 0.5]]],
    ]
    tracks = curve.note_tracks(trace)  # type: ignore[arg-type]
    assert sorted(t.depths for t in tracks) == [(0.1, 0.2, 0.3, 0.4), (0.2, 0.3, 0.4, 0.5)]
    assert all(t.times[:2] == (0.0, 0.1) for t in tracks)


def test_too_few_points_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="too few points to fit the curve: 3 in 1 track"):
        curve.fit_curve([curve.Track((0.0, 0.1, 0.2), (0.1, 0.2, 0.3))])


def test_a_trace_of_drawn_frames_refits_to_the_curve_it_was_drawn_with() -> None:
    truth = shipped_coefficients("v2")
    notes = [(0.7 + 0.25 * k, k % 7, ("tap", "long", "flick", "skill")[k % 4]) for k in range(8)]
    first, every = FirstNoteRecorder(), NoteRecorder()
    t = 0.0
    while t < 3.0:  # 50 fps, as a fast capture
        boxes = detect_notes(falling(t, notes, truth))
        first.feed(t, boxes)
        every.feed(t, boxes)
        t += 0.02
    v1 = shipped_coefficients("v1")
    fit_first = curve.fit_curve([curve.first_note_track(first.rows)], v1, full=True)  # type: ignore[arg-type]
    fit_all = curve.fit_curve(curve.note_tracks(every.rows), v1, full=True)  # type: ignore[arg-type]
    assert first.done and len(first.rows) >= 20
    # Depth comes from whole pixels of the box centre (~1/410 of the fall) and the kinds'
    # shapes (flick arrow, skill diamond) shift the centre a little. Measured: first note
    # rms 0.24 ms, curve within 0.77 ms of the truth; all notes 1.02 ms, within 1.35 ms.
    for fit in (fit_first, fit_all):
        assert fit.rms_ms < 1.5
        assert curve.max_curve_gap_ms(fit.coefficients, truth, 0.05, 0.95) < 2.0
        assert curve.max_curve_gap_ms(fit.coefficients, shipped_coefficients("v1")) > 30.0  # it moved
    assert len(fit_all.judged_at) == 8
