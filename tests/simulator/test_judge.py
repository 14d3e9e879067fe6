"""Per-note judgement from synthetic touch tracks, at the exact window edges."""

from __future__ import annotations

import pytest

from services.scriptor.play import PlanFrame, PlayOptions, compile_chart
from services.simulator.judge import Windows, judge, strokes
from services.simulator.touch_server import Commit, TouchEvent
from shared.chart import BpmChange, Chart, Directional, Slide, SlidePoint, Tap, parse_chart_bytes
from shared.config.scriptor import Performance
from shared.data import CHARTS_DIR
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
    # The move onto the end node arriving a few ms after the end, then the release: the
    # finger ends on the end lane (a whole 316 expert lost 29 slide ends to this).
    plain = Slide((SlidePoint(1.0, 1), SlidePoint(2.0, 3)))
    up = (TouchEvent("u", 0, 0, 0),)
    moved_late = [path[0], Commit(T0 + 2.003, path[2].events), Commit(T0 + 2.013, up)]
    assert [r.judgement for r in judge(chart(plain), T0, moved_late).results] == ["perfect"] * 2
    # Released without ever reaching the end lane: the end is missed.
    stayed = [path[0], Commit(T0 + 2.01, up)]
    assert [r.judgement for r in judge(chart(plain), T0, stayed).results] == ["perfect", "miss"]
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


def test_two_wide_arrows_sharing_a_lane_each_take_their_own_finger() -> None:
    # Left over lanes 2-4 and Right over lanes 4-6 at one instant (689 expert, 295 expert):
    # the finger swiping right is in the left arrow's span too, but it is not its finger.
    c = chart(Directional(1.0, 2, "Left", 3), Directional(1.0, 4, "Right", 3))
    left = [Commit(T0 + 1.0, (TouchEvent("d", 0, lane_x(2), JUDGE_Y),))]
    right = [Commit(T0 + 1.0, (TouchEvent("d", 1, lane_x(4), JUDGE_Y),))]
    for k in range(1, 7):
        left.append(Commit(T0 + 1.0 + 0.007 * k, (TouchEvent("m", 0, lane_x(2) - 50 * k, JUDGE_Y),)))
        right.append(Commit(T0 + 1.0 + 0.007 * k, (TouchEvent("m", 1, lane_x(4) + 50 * k, JUDGE_Y),)))
    touches = [*right, *left, Commit(T0 + 1.05, (TouchEvent("u", 0, 0, 0), TouchEvent("u", 1, 0, 0)))]
    assert [r.judgement for r in judge(c, T0, sorted(touches, key=lambda k: k.t)).results] == ["perfect"] * 2


def events(f: PlanFrame) -> tuple[TouchEvent, ...]:
    return tuple(TouchEvent(op.kind, op.contact, op.x, op.y) for op in f.ops)


@pytest.mark.parametrize("name", sorted(p.stem for p in CHARTS_DIR.glob("*.bestdori")))
def test_the_play_engine_s_plan_of_every_shipped_chart_is_all_perfect(name: str) -> None:
    # The contract between the play engine and the judge, without sockets: every commit of
    # the compiled plan arriving 3 ms late (the lateness a whole song shows) is Perfect.
    c = parse_chart_bytes((CHARTS_DIR / f"{name}.bestdori").read_bytes())
    plan = compile_chart(c, PlayOptions(performance=Performance.AllPerfect, correction_time=0))
    late_s = 0.003
    commits = [Commit(T0 + plan.at_us(f) / 1e6 + late_s, events(f)) for f in plan.frames]
    result = judge(c, T0, commits)
    assert len(result.results) == c.note_count and result.all_perfect, result.counts()
