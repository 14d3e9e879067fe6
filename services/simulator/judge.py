"""Per-note judgement of a play: timestamped contact tracks against the chart (pure).

A note at chart time ``t`` s is judged against ``T0 + t`` on the simulator's clock
(docs/play-architecture.md, timing contract) with the arrival time of the commit that
carries its touch. The windows are data (``Windows``; defaults from the architecture doc,
consistent with the user's Custom offsets: 32 ms late -> Great, 40 -> Good, 48 -> Bad).

What each note asks for:
- tap: a down near the lane's x on the judge line, the error is the down's;
- flick: such a down, then an upward move of ``flick_px`` within ``flick_ms``;
- directional: a down within the arrow's lanes, then a sideways move the arrow's way;
- long / slide: the start as a tap, every visible middle node passed with the contact
  still down near its lane, the end judged by the release (or by an upward flick where
  the end is marked flick). Hidden nodes only bend the path.
Non-Perfect judgements are FAST (early) or SLOW (late).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from services.simulator.touch_server import Commit
from shared.chart import Chart, Directional, Slide, Tap
from shared.judge_windows import BAD_MS, GOOD_MS, GREAT_MS, PERFECT_MS
from shared.playfield import JUDGE_Y, lane_x

JUDGEMENTS = ("perfect", "great", "good", "bad", "miss")
EPS_MS = 1e-6  # float noise at the exact window edges


@dataclass(frozen=True)
class Windows:
    perfect_ms: float = PERFECT_MS
    great_ms: float = GREAT_MS
    good_ms: float = GOOD_MS
    bad_ms: float = BAD_MS
    lane_tolerance_px: float = 80.0  # how far from a lane's x a touch still hits it
    judge_band_px: float = 120.0  # how far from the judge line (y) a down still counts
    flick_px: float = 40.0  # minimum swipe of a flick / directional
    flick_ms: float = 200.0  # within this long after the press (or the end node)

    def grade(self, error_ms: float) -> str:
        e = abs(error_ms)
        for name, limit in zip(
            JUDGEMENTS, (self.perfect_ms, self.great_ms, self.good_ms, self.bad_ms), strict=False
        ):
            if e <= limit + EPS_MS:
                return name
        return "miss"


@dataclass
class Stroke:
    """One contact from down to up: (t, x, y) points, the first the down."""

    contact: int
    points: list[tuple[float, float, float]]
    up_t: float | None = None

    @property
    def down_t(self) -> float:
        return self.points[0][0]

    def at(self, t: float) -> tuple[float, float] | None:
        """Position at ``t`` (last point at or before), None when not down at ``t``."""
        if t < self.down_t or (self.up_t is not None and t > self.up_t):
            return None
        i = bisect.bisect_right([p[0] for p in self.points], t) - 1
        _, x, y = self.points[max(i, 0)]
        return (x, y)

    def reaches(self, x: float, t: float, late_s: float, tolerance_px: float) -> bool:
        """Held near ``x`` at ``t``, or there within ``late_s`` after it: slide ticks are
        lenient late (a finger that moves onto the node as it passes still follows it)."""
        pos = self.at(t)
        if pos is not None and abs(pos[0] - x) <= tolerance_px:
            return True
        return any(
            t < pt <= t + late_s and (self.up_t is None or pt <= self.up_t) and abs(px - x) <= tolerance_px
            for pt, px, _ in self.points
        )

    def moved(self, t0: float, t1: float) -> tuple[float, float]:
        """(dx, dy) between the positions at ``t0`` and the last point up to ``t1``."""
        start = self.at(t0) or self.points[0][1:]
        pts = [p for p in self.points if p[0] <= t1]
        end = pts[-1][1:] if pts else start
        return (end[0] - start[0], end[1] - start[1])


def strokes(commits: Iterable[Commit]) -> list[Stroke]:
    """Contact tracks from commits (in arrival order), sorted by down time."""
    open_: dict[int, Stroke] = {}
    done: list[Stroke] = []
    for c in commits:
        for ev in c.events:
            if ev.kind == "d":
                if ev.contact in open_:
                    done.append(open_.pop(ev.contact))
                open_[ev.contact] = Stroke(ev.contact, [(c.t, ev.x, ev.y)])
            elif ev.kind == "m" and ev.contact in open_:
                open_[ev.contact].points.append((c.t, ev.x, ev.y))
            elif ev.kind == "u" and ev.contact in open_:
                s = open_.pop(ev.contact)
                s.up_t = c.t
                done.append(s)
    done.extend(open_.values())
    return sorted(done, key=lambda s: s.down_t)


@dataclass(frozen=True)
class NoteResult:
    note: int  # index in chart.notes
    part: str  # "tap", "flick", "directional", "start", "tick", "end"
    time_s: float  # chart time of this judgement point
    judgement: str
    error_ms: float | None  # + late, - early; None for a miss with no touch

    @property
    def timing(self) -> str:
        if self.judgement in ("perfect", "miss") or self.error_ms is None:
            return ""
        return "fast" if self.error_ms < 0 else "slow"


@dataclass
class Judgement:
    results: list[NoteResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(JUDGEMENTS, 0)
        for r in self.results:
            out[r.judgement] += 1
        out["fast"] = sum(1 for r in self.results if r.timing == "fast")
        out["slow"] = sum(1 for r in self.results if r.timing == "slow")
        out["max_combo"] = self.max_combo()
        return out

    def max_combo(self) -> int:
        best = run = 0
        for r in sorted(self.results, key=lambda r: r.time_s):
            run = run + 1 if r.judgement in ("perfect", "great", "good") else 0
            best = max(best, run)
        return best

    @property
    def all_perfect(self) -> bool:
        return bool(self.results) and all(r.judgement == "perfect" for r in self.results)

    @property
    def full_combo(self) -> bool:
        return bool(self.results) and all(r.judgement in ("perfect", "great", "good") for r in self.results)


def judge(chart: Chart, t0: float, commits: Iterable[Commit], windows: Windows | None = None) -> Judgement:
    w = windows or Windows()
    pool = strokes(commits)
    used: set[int] = set()
    out = Judgement()
    order = sorted(range(len(chart.notes)), key=lambda i: chart.seconds(chart.notes[i].beat))
    for i in order:
        note = chart.notes[i]
        t_note = chart.seconds(note.beat)
        lanes = _lanes(note)
        swipes = None
        if isinstance(note, Directional) or (isinstance(note, Tap) and note.flick):
            swipes = partial(_swipes_for, note=note, w=w)
        k = _find(pool, used, t0 + t_note, lanes, w, swipes)
        if isinstance(note, Slide):
            _judge_slide(out, i, note, chart, t0, None if k is None else pool[k], w)
        else:
            part = "directional" if isinstance(note, Directional) else ("flick" if note.flick else "tap")
            if k is None:
                out.results.append(NoteResult(i, part, t_note, "miss", None))
                continue
            s = pool[k]
            err = (s.down_t - t0 - t_note) * 1000
            grade = w.grade(err)
            if part != "tap" and not _swiped(s, s.down_t, note, w):
                grade = "miss"
            out.results.append(NoteResult(i, part, t_note, grade, err))
        if k is not None:
            used.add(k)
    return out


def _lanes(note: Tap | Directional | Slide) -> tuple[float, float]:
    """The x range a touch may land in for this note's start."""
    if isinstance(note, Directional):
        xs = [lane_x(note.lane + j) for j in range(max(note.width, 1))]
        return (min(xs), max(xs))
    x = lane_x(note.lane)
    return (x, x)


def _find(
    pool: list[Stroke],
    used: set[int],
    t: float,
    xs: tuple[float, float],
    w: Windows,
    swipes: Callable[[Stroke], bool] | None = None,
) -> int | None:
    """The unused stroke that went down nearest to ``t`` inside the note's lanes. For a
    note that asks for a swipe, a stroke that swipes its way wins over a closer one that
    does not (two wide arrows sharing a lane at one instant: each finger is its own
    arrow's, whatever their order)."""
    best: int | None = None
    best_key: tuple[bool, float, float] | None = None
    limit = w.bad_ms / 1000 + EPS_MS
    centre = (xs[0] + xs[1]) / 2
    for k, s in enumerate(pool):
        if k in used:
            continue
        err = abs(s.down_t - t)
        if s.down_t > t + limit:
            break
        _, x, y = s.points[0]
        near = xs[0] - w.lane_tolerance_px <= x <= xs[1] + w.lane_tolerance_px
        if not near or abs(y - JUDGE_Y) > w.judge_band_px or err > limit:
            continue
        key = (swipes is not None and not swipes(s), err, abs(x - centre))
        if best_key is None or key < best_key:
            best, best_key = k, key
    return best


def _swipes_for(s: Stroke, note: Tap | Directional, w: Windows) -> bool:
    return _swiped(s, s.down_t, note, w)


def _swiped(s: Stroke, since: float, note: Tap | Directional | None, w: Windows) -> bool:
    """Did the contact swipe the way the note asks within ``flick_ms`` of ``since``?"""
    until = since + w.flick_ms / 1000
    if s.up_t is not None:
        until = min(until, s.up_t)
    dx, dy = s.moved(since, until)
    if isinstance(note, Directional):
        return (dx if note.direction == "Right" else -dx) >= w.flick_px
    return -dy >= w.flick_px


def _judge_slide(
    out: Judgement, i: int, note: Slide, chart: Chart, t0: float, s: Stroke | None, w: Windows
) -> None:
    last = len(note.points) - 1
    for j, p in enumerate(note.points):
        if p.hidden:
            continue
        tp = chart.seconds(p.beat)
        part = "start" if j == 0 else ("end" if j == last else "tick")
        if s is None:
            out.results.append(NoteResult(i, part, tp, "miss", None))
            continue
        if part == "start":
            err = (s.down_t - t0 - tp) * 1000
            out.results.append(NoteResult(i, part, tp, w.grade(err), err))
        elif part == "tick":
            ok = s.reaches(lane_x(p.lane), t0 + tp, w.good_ms / 1000, w.lane_tolerance_px)
            out.results.append(NoteResult(i, part, tp, "perfect" if ok else "miss", 0.0 if ok else None))
        else:
            out.results.append(_slide_end(i, p.lane, p.flick, tp, t0, s, w))


def _slide_end(i: int, lane: float, flick: bool, tp: float, t0: float, s: Stroke, w: Windows) -> NoteResult:
    due = t0 + tp
    if s.up_t is None:
        return NoteResult(i, "end", tp, "miss", None)  # never released
    # Where the finger is at the end, leniently late like the ticks: the move onto the end
    # node, sent at the node's time, arrives a few ms after it (and just before the up).
    near = s.reaches(lane_x(lane), min(s.up_t, due), w.bad_ms / 1000, w.lane_tolerance_px)
    err = (s.up_t - due) * 1000
    if flick:
        # A flick ends the hold: timed by its first upward move, and it must swipe far enough.
        start = max(due - w.bad_ms / 1000, s.down_t)
        rises = [b for a, b in zip(s.points, s.points[1:], strict=False) if b[0] >= start and b[2] < a[2]]
        if not rises or -s.moved(start, s.up_t)[1] < w.flick_px:
            return NoteResult(i, "end", tp, "miss", err)
        err = (rises[0][0] - due) * 1000
    grade = w.grade(err) if near else "miss"
    return NoteResult(i, "end", tp, grade, err)
