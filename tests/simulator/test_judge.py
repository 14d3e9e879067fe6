"""Per-note judgement from synthetic touch tracks, at the exact window edges."""

from __future__ import annotations

import pytest

from services.simulator.judge import Windows, judge, strokes
from services.simulator.touch_server import Commit, TouchEvent
from shared.chart import BpmChange, Chart, Directional, Slide, SlidePoint, Tap
from shared.playfield import JUDGE_Y, lane_x

T0 = 100.0
BPM60 = (BpmChange(0, 60),)  # one beat = one second


def chart(*notes: Tap | Directional | Slide) -> Chart:
    return Chart(bpms=BPM60, notes=tuple(notes))


def tap_at(t: float, lane: float, contact: int = 0, hold: float = 0.02) -> list[Commit]:
    x = lane_x(lane)
    return [
        Commit(t, (TouchEvent("d", contact, x, JUDGE_Y),)),
        Commit(t + hold, (TouchEvent("u", contact, x, JUDGE_Y),)),
    ]


def flick_at(t: float, lane: float, dx: float = 0, dy: float = -100, contact: int = 0) -> list[Commit]:
    x = lane_x(lane)
    out = [Commit(t, (TouchEvent("d", contact, x, JUDGE_Y),))]
    for k in range(1, 5):
        out.append(Commit(t + 0.02 * k, (TouchEvent("m", contact, x + dx * k / 4, JUDGE_Y + dy * k / 4),)))
    out.append(Commit(t + 0.1, (TouchEvent("u", contact, 0, 0),)))
    return out


@pytest.mark.parametrize(
    ("late_ms", "expected"),
    [(0, "perfect"), (30, "perfect"), (32, "great"), (38, "great"), (40, "good"), (46, "good"),
     (48, "bad"), (60, "bad"), (-32, "great"), (-48, "bad")],
)  # fmt: skip
def test_tap_windows(late_ms: float, expected: str) -> None:
    res = judge(chart(Tap(1.0, 3)), T0, tap_at(T0 + 1.0 + late_ms / 1000, 3))
    assert [r.judgement for r in res.results] == [expected]
    assert res.results[0].error_ms == pytest.approx(late_ms, abs=1e-6)
    assert res.results[0].timing == ("" if expected == "perfect" else ("slow" if late_ms > 0 else "fast"))


def test_too_late_wrong_lane_and_no_touch_miss() -> None:
    c = chart(Tap(1.0, 3), Tap(2.0, 3), Tap(3.0, 0))
    touches = tap_at(T0 + 1.061, 3) + tap_at(T0 + 2.0, 5)  # 61 ms late; lane 5 for a lane-3 note
    res = judge(c, T0, touches)
    assert [r.judgement for r in res.results] == ["miss", "miss", "miss"]
    assert res.counts()["miss"] == 3 and res.counts()["max_combo"] == 0


def test_one_touch_hits_one_note() -> None:
    c = chart(Tap(1.0, 3), Tap(1.01, 3))
    res = judge(c, T0, tap_at(T0 + 1.0, 3))
    assert sorted(r.judgement for r in res.results) == ["miss", "perfect"]


def test_custom_windows_are_data() -> None:
    res = judge(chart(Tap(1.0, 3)), T0, tap_at(T0 + 1.045, 3), Windows(perfect_ms=50))
    assert res.results[0].judgement == "perfect"


def test_flick_needs_the_upward_swipe() -> None:
    c = chart(Tap(1.0, 2, flick=True), Tap(2.0, 2, flick=True))
    res = judge(c, T0, flick_at(T0 + 1.0, 2) + tap_at(T0 + 2.0, 2))
    assert [r.judgement for r in res.results] == ["perfect", "miss"]


def test_directional_needs_the_right_direction() -> None:
    c = chart(Directional(1.0, 2, "Right", 2), Directional(2.0, 4, "Left"), Directional(3.0, 4, "Left"))
    touches = flick_at(T0 + 1.0, 2.5, dx=100, dy=0) + flick_at(T0 + 2.0, 4, dx=-100, dy=0)
    touches += flick_at(T0 + 3.0, 4, dx=100, dy=0)
    res = judge(c, T0, touches)
    assert [r.judgement for r in res.results] == ["perfect", "perfect", "miss"]


def test_long_note_held_to_the_end() -> None:
    long_ = Slide((SlidePoint(1.0, 1), SlidePoint(2.0, 1)), long=True)
    ok = judge(chart(long_), T0, tap_at(T0 + 1.0, 1, hold=1.01))
    assert [r.judgement for r in ok.results] == ["perfect", "perfect"] and ok.all_perfect
    early = judge(chart(long_), T0, tap_at(T0 + 1.0, 1, hold=0.5))
    assert [r.judgement for r in early.results] == ["perfect", "miss"]
    late = judge(chart(long_), T0, tap_at(T0 + 1.0, 1, hold=1.04))
    assert [r.judgement for r in late.results] == ["perfect", "good"]


def test_slide_follows_visible_nodes_and_ends_with_a_flick() -> None:
    slide = Slide(
        (
            SlidePoint(1.0, 1),
            SlidePoint(1.5, 2, hidden=True),
            SlidePoint(2.0, 3),
            SlidePoint(3.0, 5, flick=True),
        )
    )
    x = lane_x
    path = [
        Commit(T0 + 1.0, (TouchEvent("d", 0, x(1), JUDGE_Y),)),
        Commit(T0 + 1.5, (TouchEvent("m", 0, x(2), JUDGE_Y),)),
        Commit(T0 + 2.0, (TouchEvent("m", 0, x(3), JUDGE_Y),)),
        Commit(T0 + 3.0, (TouchEvent("m", 0, x(5), JUDGE_Y),)),
        *[Commit(T0 + 3.0 + 0.02 * k, (TouchEvent("m", 0, x(5), JUDGE_Y - 25 * k),)) for k in range(1, 5)],
        Commit(T0 + 3.1, (TouchEvent("u", 0, 0, 0),)),
    ]
    res = judge(chart(slide), T0, path)
    assert [(r.part, r.judgement) for r in res.results] == [
        ("start", "perfect"),
        ("tick", "perfect"),
        ("end", "perfect"),
    ]
    # Reaching the middle node a few ms after its time (a move sent at that time arrives
    # a little later) still follows it: ticks are lenient late, up to the Good window.
    late = [path[0], path[1], Commit(T0 + 2.003, path[2].events), *path[3:]]
    assert [r.judgement for r in judge(chart(slide), T0, late).results] == ["perfect"] * 3
    too_late = [path[0], path[1], Commit(T0 + 2.06, path[2].events), *path[3:]]
    assert [r.judgement for r in judge(chart(slide), T0, too_late).results] == ["perfect", "miss", "perfect"]
    # Not following the middle node (stays on lane 1) misses that tick.
    stay = [path[0], Commit(T0 + 3.0, (TouchEvent("m", 0, x(5), JUDGE_Y),)), *path[4:]]
    assert [r.judgement for r in judge(chart(slide), T0, stay).results] == ["perfect", "miss", "perfect"]


def test_counts_fast_slow_and_combo() -> None:
    c = chart(Tap(1, 0), Tap(2, 1), Tap(3, 2), Tap(4, 3), Tap(5, 4), Tap(6, 5))
    touches = tap_at(T0 + 1, 0) + tap_at(T0 + 2.035, 1) + tap_at(T0 + 2.96, 2) + tap_at(T0 + 4, 3)
    touches += tap_at(T0 + 6, 5)  # the note at 5 s gets no touch: the combo breaks there
    counts = judge(c, T0, touches).counts()
    assert counts == {
        "perfect": 3, "great": 1, "good": 1, "bad": 0, "miss": 1, "fast": 1, "slow": 1, "max_combo": 4
    }  # fmt: skip


def test_strokes_pair_downs_and_ups_per_contact() -> None:
    s = strokes(tap_at(1.0, 0, contact=0) + tap_at(1.005, 3, contact=1))
    assert [(st.contact, st.down_t, st.up_t) for st in s] == [(0, 1.0, 1.02), (1, 1.005, 1.025)]
