"""Compiling charts into touch plans: golden files for short real charts, hand-checked
gestures, contacts and performance modes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.scriptor.play import PlayOptions, compile_chart, ladder_title
from services.scriptor.play.contacts import allocate
from services.scriptor.play.plan import TouchOp, TouchPlan
from services.scriptor.play.render import render_bangcheater, render_minitouch, render_sheet, summary
from services.testing.charts import all_shipped, chart, shipped
from shared.chart import Slide
from shared.config.scriptor import Performance, ScriptorConfig
from shared.device.touch import ContactRules, TouchSpace

GOLDEN = Path(__file__).resolve().parent / "golden"


def ops_at(plan: TouchPlan, t_us: int) -> tuple[TouchOp, ...]:
    return next(f.ops for f in plan.frames if f.t_us == t_us)


def check_protocol(plan: TouchPlan, max_contacts: int = 10) -> None:
    rules = ContactRules(max_contacts)
    for f in plan.frames:
        for op in f.ops:
            {"d": rules.press, "m": rules.move, "u": rules.lift}[op.kind](op.contact)
        rules.commit()
    assert rules.down == set(), "contacts left down at the end of the plan"
    times = [f.t_us for f in plan.frames]
    assert times == sorted(set(times))


@pytest.mark.parametrize("name", ["1_0", "570_0"])
def test_golden_sheets(name: str) -> None:
    text = render_sheet(compile_chart(shipped(name)))
    path = GOLDEN / f"{name}.sheet"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_570_0_by_hand() -> None:
    # 570_0 starts at 150 BPM with a Single on lane 1 at beat 8: 3.2 s, x 342.
    plan = compile_chart(shipped("570_0"))
    assert plan.frames[0].t_us == 3_200_000
    assert plan.frames[0].ops == (TouchOp("d", 0, 342, 590),)
    assert plan.frames[1].t_us == 3_220_000 and plan.frames[1].ops == (TouchOp("u", 0),)
    assert render_sheet(plan).startswith("b 3200000\nt 3200000\nd 0 342 590\nt 3220000\nu 0\n")
    assert (plan.notes, plan.contacts_used) == (106, 1)


def test_hold_tail_after_a_bpm_change() -> None:
    # 120 BPM to beat 4 (2 s), then 240: a hold from beat 2 (1 s) to beat 6 ends at 2.5 s,
    # not at 3 s as one tempo would put it; it lifts 10 ms later.
    c = chart(
        {"type": "Long", "connections": [{"beat": 2, "lane": 3}, {"beat": 6, "lane": 3}]},
        more_bpms=((4, 240.0),),
    )
    plan = compile_chart(c)
    assert [(f.t_us, f.ops) for f in plan.frames] == [
        (1_000_000, (TouchOp("d", 0, 640, 590),)),
        (2_510_000, (TouchOp("u", 0),)),
    ]


def test_hold_tail_past_the_bpm_change_in_295_3() -> None:
    # 295_3 runs at 75 BPM to beat 38, then 206.5: every hold after it lifts at the
    # piecewise time of its end beat + 10 ms (one tempo would put them seconds off).
    c = shipped("295_3.new-format")
    plan = compile_chart(c)
    ups = {f.t_us for f in plan.frames if any(o.kind == "u" for o in f.ops)}
    crossing = [n for n in c.notes if isinstance(n, Slide) and n.end_beat > 38 and not n.points[-1].flick]
    assert crossing
    for n in crossing:
        end = 38 * 60 / 75 + (n.end_beat - 38) * 60 / 206.5
        assert round(end * 1e6) + 10_000 in ups


def test_fractional_lanes_interpolate() -> None:
    c = chart(
        {
            "type": "Slide",
            "connections": [
                {"beat": 0, "lane": 2.5},
                {"beat": 1, "lane": 4, "hidden": True},
                {"beat": 2, "lane": 0.25},
                {"beat": 3, "lane": 1, "flick": True},
            ],
        }
    )
    plan = compile_chart(c)
    downs = [o for f in plan.frames for o in f.ops if o.kind != "u"]
    assert downs[0] == TouchOp("d", 0, 566, 590)  # (491 + 640) / 2 = 565.5
    assert downs[1] == TouchOp("m", 0, 231, 590)  # hidden node skipped; 194 + 0.25 * 148
    # The end point at 1.5 s: a move to lane 1, then the flick's 4 moves upward, 100 px.
    assert [(f.t_us, f.ops) for f in plan.frames if f.t_us >= 1_500_000][:2] == [
        (1_500_000, (TouchOp("m", 0, 342, 590),)),
        (1_516_000, (TouchOp("m", 0, 342, 565),)),
    ]
    assert downs[-1] == TouchOp("m", 0, 342, 490)
    assert plan.frames[-1].t_us == 1_580_000 and plan.frames[-1].ops == (TouchOp("u", 0),)


def test_flick_and_directional_shapes() -> None:
    c = chart(
        {"type": "Single", "beat": 0, "lane": 3, "flick": True},
        {"type": "Directional", "beat": 2, "lane": 3, "direction": "Left", "width": 2},
    )
    plan = compile_chart(c)
    flick = [(f.t_us, f.ops[0]) for f in plan.frames if f.t_us < 1_000_000]
    assert [t for t, _ in flick] == [0, 16_000, 32_000, 48_000, 64_000, 80_000]
    assert [op.y for _, op in flick[:5]] == [590, 565, 540, 515, 490]
    side = [(f.t_us - 1_000_000, f.ops[0]) for f in plan.frames if f.t_us >= 1_000_000]
    assert len(side) == 8 and side[-1] == (50_000, TouchOp("u", 0))
    assert [op.x for _, op in side[:7]] == [640, 607, 573, 540, 507, 473, 440]  # 200 px left
    assert all(op.y == 590 for _, op in side[:7])


def test_simultaneous_notes_and_a_hold_never_blocks_a_tap() -> None:
    c = chart(
        {"type": "Long", "connections": [{"beat": 0, "lane": 0}, {"beat": 4, "lane": 0}]},
        {"type": "Single", "beat": 1, "lane": 5},
        {"type": "Single", "beat": 1, "lane": 6},
        {"type": "Single", "beat": 2, "lane": 5},
    )
    plan = compile_chart(c)
    check_protocol(plan)
    assert ops_at(plan, 500_000) == (TouchOp("d", 1, 937, 590), TouchOp("d", 2, 1085, 590))
    assert ops_at(plan, 1_000_000) == (TouchOp("d", 1, 937, 590),)  # contact 1 is free again
    assert ops_at(plan, 2_010_000) == (TouchOp("u", 0),)
    assert plan.contacts_used == 3


def test_contacts_beyond_the_limit_are_dropped_with_a_warning() -> None:
    c = chart(*({"type": "Single", "beat": 0, "lane": lane} for lane in range(3)))
    plan = compile_chart(c, PlayOptions(max_contacts=2))
    assert plan.dropped == 1 and plan.gestures == 2 and "all 2 contacts" in plan.warnings[0]
    assert allocate([(0, 10), (5, 20), (11, 30), (21, 40)], 2) == [0, 1, 0, 1]
    assert allocate([(0, 10), (10, 20)], 1) == [0, None]  # an up and a down never share a commit


@pytest.mark.parametrize("performance", list(Performance))
def test_every_shipped_chart_obeys_the_protocol(performance: Performance) -> None:
    for name, c in all_shipped():
        plan = compile_chart(c, PlayOptions(performance=performance, weight_title="blind", seed=3))
        check_protocol(plan)
        assert plan.dropped == 0, name
        assert plan.contacts_used <= 10


def test_dilation_and_correction() -> None:
    c = chart({"type": "Single", "beat": 2, "lane": 3})  # 1 s
    plan = compile_chart(c, PlayOptions(dilation_time=1_002_000, correction_time=-45_000))
    assert [plan.at_us(f) for f in plan.frames] == [1_002_000 - 45_000, 1_022_040 - 45_000]
    assert render_sheet(plan).splitlines()[:2] == ["b 1000000", "t 1000000"]  # sheets stay in chart time
    assert render_minitouch(plan).splitlines() == ["d 0 640 590 50", "c", "w 20", "u 0", "c"]
    space = TouchSpace(32767, 32767, 90)
    assert render_bangcheater(plan, space)[0] == "d 0 5916 16384\nc\n"  # 1 - 590/720 of the panel x


def test_custom_is_seeded_and_uses_the_documented_offsets() -> None:
    c = shipped("316_3")
    base = compile_chart(c)
    opts = PlayOptions(
        performance=Performance.Custom, weight_title="blind", weights=(0.45, 0.3, 0.05, 0.05, 0.15)
    )
    a, b = compile_chart(c, opts), compile_chart(c, opts)
    other = compile_chart(c, PlayOptions(**{**opts.__dict__, "seed": 99}))
    assert a == b and a != other
    assert sum(a.judgements.values()) == a.gestures and set(a.judgements) <= {
        "Perfect",
        "Great",
        "Good",
        "Bad",
        "Miss",
    }
    downs = sorted(f.t_us for f in base.frames for o in f.ops if o.kind == "d")
    shifted = sorted(f.t_us for f in a.frames for o in f.ops if o.kind == "d")
    assert downs != shifted
    assert "blind, seed 0" in summary(a)


def test_full_combo_never_draws_below_great_and_drop_last_misses_the_last_note() -> None:
    c = shipped("570_0")
    fc = compile_chart(c, PlayOptions(performance=Performance.FullCombo, weights=(0.2, 0.2, 0.2, 0.2, 0.2)))
    assert set(fc.judgements) <= {"Perfect", "Great"} and fc.judgements.get("Great", 0) > 0
    base = compile_chart(c)
    drop = compile_chart(c, PlayOptions(performance=Performance.DropLastFC, weights=(1, 0, 0, 0, 0)))
    beat_s = 60 / 150
    assert drop.frames[-1].t_us - base.frames[-1].t_us == round(beat_s * 1e6)
    assert drop.frames[:-2] == base.frames[:-2]


def test_options_from_config_and_the_ladder() -> None:
    cfg = ScriptorConfig(performance=Performance.Custom, weight_title="newbee", correction_time=-40_000)
    opts = PlayOptions.from_config(cfg, seed=5)
    assert (opts.weight_title, opts.correction_time, opts.seed) == ("newbee", -40_000, 5)
    assert abs(sum(opts.weights) - 1) < 1e-9 and opts.weights[0] == pytest.approx(0.85)
    assert PlayOptions.from_config(cfg, title=ladder_title(26)).weight_title == "master"
    ladder = {33: "blind", 32: "blind", 31: "hell", 30: "hell", 29: "fool", 28: "newbee", 27: "skilled"}
    ladder |= {
        26: "master",
        25: "top",
        24: "nohuman",
        23: "nohuman",
        22: "newworld",
        18: "newworld",
        17: "god",
    }
    assert {lv: ladder_title(lv) for lv in ladder} == ladder


def test_minitouch_waits_do_not_drift() -> None:
    # Taps every 1/3 s (whole ms cannot say 333.33 ms): the waits' sum follows the plan.
    c = chart(*({"type": "Single", "beat": k * 2 / 3, "lane": 1} for k in range(90)), bpm=120)
    plan = compile_chart(c)
    waits = [int(line.split()[1]) for line in render_minitouch(plan).splitlines() if line.startswith("w ")]
    assert abs(sum(waits) * 1000 - (plan.at_us(plan.frames[-1]) - plan.at_us(plan.frames[0]))) < 1000
