"""Start sync on drawn frames, the note detector, and calibration steps."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pytest

from services.scriptor.play.calibrate import (
    AutoCorrection,
    recommend_correction,
    shift_from_fast_slow,
    shift_from_measured,
)
from services.scriptor.play.startsync import StartSync, StartSyncError
from services.simulator.field import NoteSprite, render_playfield
from services.testing.frames import falling, playfield
from shared.note_detect import detect_notes, health_bar_on
from shared.playfield import NOTE_COLOURS, depth, lane_x, y_of_depth


def test_detector_on_the_simulator_playfield() -> None:
    notes = [("tap", 3.0, 0.5), ("long", 1.0, 0.8), ("skill", 6.0, 0.6)]
    boxes = detect_notes(simulator_frame(notes))
    assert [(b.kind, round(b.depth, 2)) for b in boxes] == [("long", 0.8), ("skill", 0.6), ("tap", 0.5)]
    assert health_bar_on(simulator_frame([])) and not health_bar_on(simulator_frame([], False))


def test_play_has_started_at_any_life() -> None:
    """The bar fills from the left: a low-life play is still a play (the first version's
    pixel at (1080, 42) is green only above ~52 %)."""
    for life in (1.0, 0.5, 0.2, 0.05):
        frame = render_playfield([], health=life)
        assert health_bar_on(frame), life
        darker = (frame.astype(np.float32) * 0.7).astype(np.uint8)
        assert health_bar_on(darker), life
    assert not health_bar_on(render_playfield([], health=0.8, started=False))


def test_detector_finds_every_kind_with_its_depth() -> None:
    frame = playfield(
        [("tap", 0, 0.8), ("long", 2, 0.6), ("flick", 3, 0.5), ("skill", 5, 0.3), ("directional", 6, 0.2)]
    )
    boxes = detect_notes(frame)
    assert [b.kind for b in boxes] == ["tap", "long", "flick", "skill", "directional"]
    assert [round(b.depth, 2) for b in boxes] == [0.8, 0.6, 0.5, 0.3, 0.2]
    assert set(NOTE_COLOURS) == {b.kind for b in boxes}
    assert detect_notes(playfield([])) == []
    assert health_bar_on(frame) and not health_bar_on(playfield([], health=False))


def simulator_frame(notes: list[tuple[str, float, float]], health: bool = True) -> np.ndarray:
    """The same scene drawn by the simulator's playfield renderer."""
    sprites = [NoteSprite(k, lane_x(lane), y_of_depth(d)) for k, lane, d in notes if 0.0 <= d <= 1.02]
    return render_playfield(sprites, started=health)


Draw = Callable[[list[tuple[str, float, float]], bool], np.ndarray]
DRAWERS: dict[str, Draw] = {"cv2": playfield, "simulator": simulator_frame}


def run_sync(
    sync: StartSync, chart0: float, first_note_s: float, fps: float, latency: float, draw: Draw = playfield
) -> object:
    """Frames from just before the health bar (1 s before the first note is judged; notes
    show 0.59 s before), each shown at ``s`` and captured ``latency`` later."""
    health_from = chart0 + first_note_s - 1.0
    s = health_from - 0.1
    while s < chart0 + first_note_s + 2:
        notes = [
            falling("tap", 3, chart0 + first_note_s, s),
            falling("long", 1, chart0 + first_note_s + 0.4, s),
        ]
        est = sync.feed(draw(notes, s >= health_from), s + latency)
        if est is not None:
            return est
        s += 1 / fps
    raise AssertionError("no estimate")


@pytest.mark.parametrize(
    "fps, drawer", [(60.0, "cv2"), (30.0, "cv2"), (60.0, "simulator"), (30.0, "simulator")]
)
def test_start_sync_recovers_chart_zero(fps: float, drawer: str) -> None:
    sync = StartSync(first_note_s=2.5, capture_latency_s=0.040)
    est = run_sync(sync, chart0=1000.0, first_note_s=2.5, fps=fps, latency=0.040, draw=DRAWERS[drawer])
    assert est.method == "notes" and est.samples == 5  # type: ignore[attr-defined]
    # Pixel rounding of the drawn depth is the only error: a few ms.
    assert abs(est.chart0 - 1000.0) < 0.006  # type: ignore[attr-defined]


def test_start_sync_without_latency_correction_is_off_by_the_latency() -> None:
    est = run_sync(StartSync(first_note_s=2.5), chart0=1000.0, first_note_s=2.5, fps=60, latency=0.1)
    assert abs(est.chart0 - 1000.1) < 0.006  # type: ignore[attr-defined]


def test_slow_frames_fall_back_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    sync = StartSync(first_note_s=2.5, capture_latency_s=0.3)
    est = run_sync(sync, chart0=50.0, first_note_s=2.5, fps=2.5, latency=0.3)  # adb screencap speed
    assert est.samples < 5 and abs(est.chart0 - 50.0) < 0.006  # type: ignore[attr-defined]
    assert "frames too slow (2.5 fps)" in caplog.text


def test_no_note_after_the_health_bar() -> None:
    sync = StartSync(first_note_s=1.0, note_timeout_s=0.3)
    with pytest.raises(StartSyncError, match="no falling note"):
        for k in range(30):
            sync.feed(playfield([]), k / 30)
    fallback = StartSync(first_note_s=1.0, note_timeout_s=0.3, health_lead_s=2.0)
    est = None
    for k in range(30):
        est = fallback.feed(playfield([], health=k >= 10), k / 30)
        if est:
            break
    assert est is not None and est.method == "health" and abs(est.chart0 - (10 / 30 + 2.0)) < 1e-9


def test_depth_is_measured_from_the_box_centre() -> None:
    (box,) = detect_notes(playfield([("tap", 3, 0.5)]))
    assert abs(box.depth - depth(box.y + box.h / 2)) < 1e-9


def test_calibration_steps_are_bounded() -> None:
    assert shift_from_fast_slow(3, 2) == 0  # too few judged to say anything
    assert shift_from_fast_slow(30, 10) == 1000  # early hits: later touches
    assert shift_from_fast_slow(0, 40) == -2000
    assert shift_from_measured(-3500) == -3500
    auto = AutoCorrection()
    for _ in range(10):
        auto = auto.step(5000)  # a big measured shift: at most 2 ms per play
    assert auto.applied_us == 12_000 and auto.correction(-45_000) == -33_000
    assert auto.step(-1500).applied_us == 10_500
    assert AutoCorrection().step(-20_000).applied_us == -2_000
    assert recommend_correction(-45_000, 3_000) == -42_000


@pytest.mark.parametrize("first_note_s", [5.5, 12.0, 40.0])
def test_a_late_first_note_is_waited_for_as_long_as_the_chart_needs(first_note_s: float) -> None:
    # Issue 19: two charts with their first note ~5-6 s in lost every note to a fixed 6 s
    # wait after the health bar. The health bar shows 2 s before chart time 0 (the lead-in);
    # nothing falls until the first note does.
    chart0, fps = 500.0, 15.0
    sync = StartSync(first_note_s=first_note_s)
    assert sync.note_timeout_s is not None and sync.note_timeout_s > 2.0 + first_note_s
    s, est = chart0 - 2.1, None
    while est is None and s < chart0 + first_note_s + 2:
        notes = [falling("tap", 3, chart0 + first_note_s, s)]
        est = sync.feed(playfield([n for n in notes if 0.0 <= n[2] <= 1.02], s >= chart0 - 2.0), s)
        s += 1 / fps
    assert est is not None and est.method == "notes" and abs(est.chart0 - chart0) < 0.01


def test_no_note_at_all_fails_after_the_chart_s_own_wait_and_says_why() -> None:
    sync = StartSync(first_note_s=7.0)
    assert sync.note_timeout_s is not None and sync.wait_s > sync.note_timeout_s > 7.0
    s = 0.0
    with pytest.raises(StartSyncError, match=r"first note is at 7\.0 s"):
        while s < 100:
            sync.feed(playfield([]), s)
            s += 0.25
    assert s > sync.note_timeout_s
