"""Notes to gestures (docs/domain.md section 8): one finger's path from down to up, in
seconds of chart time, at the lane x-positions of ``shared.playfield`` on the judge line.
Pure; the shapes' sizes are the first version's."""

from __future__ import annotations

from dataclasses import dataclass

from shared.chart import Chart, Directional, Note, Slide, Tap
from shared.playfield import JUDGE_Y, WIDTH, lane_x

TAP_HOLD_S = 0.020  # a tap lifts 20 ms after its down
FLICK_S, FLICK_MOVES, FLICK_PX = 0.080, 4, 100.0  # upward
DIRECTIONAL_S, DIRECTIONAL_MOVES, DIRECTIONAL_PX = 0.050, 6, 100.0  # sideways, per lane of width
HOLD_TAIL_S = 0.010  # long notes and slides lift 10 ms after their end


@dataclass(frozen=True)
class Gesture:
    """``points[0]`` is the down, the others moves; ``up_s`` the lift."""

    kind: str  # tap, flick, directional, long, slide (skill notes play as their shape)
    points: tuple[tuple[float, float, float], ...]  # (seconds, x, y)
    up_s: float

    @property
    def start_s(self) -> float:
        return self.points[0][0]

    def shifted(self, dt: float) -> Gesture:
        return Gesture(self.kind, tuple((t + dt, x, y) for t, x, y in self.points), self.up_s + dt)


def _stroke(
    t: float, x: float, y: float, dx: float, dy: float, moves: int, span_s: float
) -> list[tuple[float, float, float]]:
    """``moves`` evenly spaced moves inside ``span_s`` reaching (x+dx, y+dy) on the last."""
    step = span_s / (moves + 1)
    return [
        (t + k * step, min(max(x + dx * k / moves, 0.0), WIDTH - 1.0), y + dy * k / moves)
        for k in range(1, moves + 1)
    ]


def flick_tail(t: float, x: float) -> tuple[list[tuple[float, float, float]], float]:
    return _stroke(t, x, JUDGE_Y, 0.0, -FLICK_PX, FLICK_MOVES, FLICK_S), t + FLICK_S


def gesture_of(chart: Chart, note: Note) -> Gesture:
    if isinstance(note, Tap):
        t, x = chart.seconds(note.beat), lane_x(note.lane)
        if note.flick:
            moves, up = flick_tail(t, x)
            return Gesture("flick", ((t, x, JUDGE_Y), *moves), up)
        return Gesture("tap", ((t, x, JUDGE_Y),), t + TAP_HOLD_S)
    if isinstance(note, Directional):
        t, x = chart.seconds(note.beat), lane_x(note.lane)
        sign = -1.0 if note.direction == "Left" else 1.0
        dx = sign * DIRECTIONAL_PX * note.width
        moves = _stroke(t, x, JUDGE_Y, dx, 0.0, DIRECTIONAL_MOVES, DIRECTIONAL_S)
        return Gesture("directional", ((t, x, JUDGE_Y), *moves), t + DIRECTIONAL_S)
    return _slide(chart, note)


def _slide(chart: Chart, note: Slide) -> Gesture:
    first, last = note.points[0], note.points[-1]
    x = lane_x(first.lane)
    points = [(chart.seconds(first.beat), x, float(JUDGE_Y))]
    # Hidden connections only bend the path; the finger follows the visible ones.
    for p in note.points[1:]:
        if p.hidden:
            continue
        px = lane_x(p.lane)
        if px != points[-1][1]:
            points.append((chart.seconds(p.beat), px, float(JUDGE_Y)))
    end = chart.seconds(last.beat)
    if last.flick:
        moves, up = flick_tail(end, lane_x(last.lane))
        points.extend(moves)
    else:
        up = end + HOLD_TAIL_S
    return Gesture("long" if note.long else "slide", tuple(points), up)
