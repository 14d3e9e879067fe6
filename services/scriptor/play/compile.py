"""``compile_chart(chart, options) -> TouchPlan``: pure, a few ms per chart."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from services.scriptor.play.contacts import allocate
from services.scriptor.play.gestures import Gesture, gesture_of
from services.scriptor.play.performance import draw_offsets, drops_last, effective_weights
from services.scriptor.play.plan import DILATION_ONE, PlanFrame, TouchOp, TouchPlan
from shared.chart import Chart
from shared.config.scriptor import Performance, ScriptorConfig
from shared.playfield import MAX_CONTACTS
from shared.weight_titles import WEIGHT_TITLES

MIN_STEP_US = 1000  # a gesture's commands at least 1 ms apart: one command per contact per commit


@dataclass(frozen=True)
class PlayOptions:
    performance: Performance = Performance.AllPerfect
    weight_title: str = "skilled"
    weights: tuple[float, float, float, float, float] = WEIGHT_TITLES["skilled"]
    seed: int = 0
    dilation_time: int = DILATION_ONE
    correction_time: int = 0
    max_contacts: int = MAX_CONTACTS

    @classmethod
    def from_config(
        cls,
        config: ScriptorConfig,
        *,
        title: str | None = None,
        seed: int = 0,
        max_contacts: int = MAX_CONTACTS,
    ) -> PlayOptions:
        """The user's config; ``title`` (e.g. ``ladder_title(level)``) overrides its
        ``weight_title``."""
        name = title or config.weight_title
        return cls(
            performance=config.performance,
            weight_title=name,
            weights=config.weight_of(name),
            seed=seed,
            dilation_time=config.dilation_time,
            correction_time=config.correction_time,
            max_contacts=max_contacts,
        )


def _timeline(g: Gesture) -> list[tuple[int, float, float]]:
    """The gesture's commands in whole us, strictly increasing (moves that fall on the
    same instant merge into the later position)."""
    out: list[tuple[int, float, float]] = []
    for t, x, y in g.points:
        us = round(t * 1e6)
        if out and us <= out[-1][0]:
            if len(out) > 1:  # a move: keep the later position at the earlier instant
                out[-1] = (out[-1][0], x, y)
                continue
            us = out[-1][0] + MIN_STEP_US
        out.append((us, x, y))
    return out


def compile_chart(chart: Chart, options: PlayOptions | None = None) -> TouchPlan:
    opts = options or PlayOptions()
    gestures = sorted((gesture_of(chart, n) for n in chart.notes), key=lambda g: g.start_s)
    weights = effective_weights(opts.performance, opts.weights)
    drawn = draw_offsets(len(gestures), weights, opts.seed)
    gestures = [g.shifted(dt) for g, (_, dt) in zip(gestures, drawn, strict=True)]
    if drops_last(opts.performance) and gestures:
        beat = max(chart.notes, key=lambda n: n.beat).beat
        gestures[-1] = gestures[-1].shifted(chart.seconds(beat + 1) - chart.seconds(beat))

    timelines = [_timeline(g) for g in gestures]
    ups = [
        max(round(g.up_s * 1e6), tl[-1][0] + MIN_STEP_US) for g, tl in zip(gestures, timelines, strict=True)
    ]
    contacts = allocate([(tl[0][0], up) for tl, up in zip(timelines, ups, strict=True)], opts.max_contacts)

    by_time: dict[int, list[TouchOp]] = defaultdict(list)
    for tl, up, c in zip(timelines, ups, contacts, strict=True):
        if c is None:
            continue
        for k, (us, x, y) in enumerate(tl):
            by_time[us].append(TouchOp("d" if k == 0 else "m", c, round(x), round(y)))
        by_time[up].append(TouchOp("u", c))
    frames = tuple(
        PlanFrame(t, tuple(sorted(ops, key=lambda o: o.contact))) for t, ops in sorted(by_time.items())
    )
    dropped = contacts.count(None)
    warnings = (
        (f"{dropped} gesture(s) left out: all {opts.max_contacts} contacts were held at their down",)
        if dropped
        else ()
    )
    used = {c for c in contacts if c is not None}
    return TouchPlan(
        frames=frames,
        notes=chart.note_count,
        gestures=len(gestures) - dropped,
        contacts_used=len(used),
        dilation_time=opts.dilation_time,
        correction_time=opts.correction_time,
        performance=opts.performance.value,
        weight_title=None if weights is None else opts.weight_title,
        seed=opts.seed,
        judgements=dict(Counter(j for j, _ in drawn)) if weights is not None else {},
        dropped=dropped,
        warnings=warnings,
    )
