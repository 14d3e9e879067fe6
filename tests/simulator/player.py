"""A simple perfect player for the tests: a chart's touches in display coordinates,
timed against a given T0 (the play engine proper is services/scriptor/play/)."""

from __future__ import annotations

from shared.chart import Chart, Directional, Slide, Tap
from shared.playfield import JUDGE_Y, lane_x

# (time s after T0, kind d/m/u, contact, x, y)
Touch = tuple[float, str, int, float, float]


def perfect_touches(chart: Chart) -> list[Touch]:
    out: list[Touch] = []
    free_at = [0.0] * 10  # when each contact is free again
    y = float(JUDGE_Y)
    for note in sorted(chart.notes, key=lambda n: chart.seconds(n.beat)):
        t = chart.seconds(note.beat)
        c = next(i for i, f in enumerate(free_at) if f < t - 0.005)
        if isinstance(note, Tap):
            x = lane_x(note.lane)
            out.append((t, "d", c, x, y))
            if note.flick:
                out += [(t + 0.02 * k, "m", c, x, y - 25 * k) for k in range(1, 5)]
                end = t + 0.1
            else:
                end = t + 0.02
            out.append((end, "u", c, x, y))
        elif isinstance(note, Directional):
            x = lane_x(note.lane + (note.width - 1) / 2)
            sign = 1 if note.direction == "Right" else -1
            out.append((t, "d", c, x, y))
            out += [(t + 0.01 * k, "m", c, x + sign * 17 * k, y) for k in range(1, 7)]
            end = t + 0.07
            out.append((end, "u", c, x + sign * 100, y))
        else:
            assert isinstance(note, Slide)
            pts = note.points
            out.append((t, "d", c, lane_x(pts[0].lane), y))
            for p in pts[1:]:
                out.append((chart.seconds(p.beat), "m", c, lane_x(p.lane), y))
            tend = chart.seconds(pts[-1].beat)
            x_end = lane_x(pts[-1].lane)
            if pts[-1].flick:
                out += [(tend + 0.02 * k, "m", c, x_end, y - 25 * k) for k in range(1, 5)]
                end = tend + 0.1
            else:
                end = tend + 0.01
            out.append((end, "u", c, x_end, y))
        free_at[c] = end
    return sorted(out, key=lambda e: e[0])
