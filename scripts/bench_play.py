"""Benchmark the play engine: compile time of every shipped chart, and host timing - the
sender process playing each fixture chart against a loopback injector that stamps every
commit on arrival (lateness = arrival - deadline, p50/p95/max, and drift over a long
chart). Prints numbers; record them in docs/performance.md.

    .venv/bin/python scripts/bench_play.py            # short: 5 s of each chart, a 20 s drift run
    .venv/bin/python scripts/bench_play.py --full     # whole charts and a 5-minute drift run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.scriptor.play import compile_chart  # noqa: E402
from services.scriptor.play.plan import TouchPlan  # noqa: E402
from services.scriptor.play.player import Player  # noqa: E402
from services.scriptor.play.schedule import lateness_of, send_plan  # noqa: E402
from services.testing.charts import cut  # noqa: E402
from services.testing.fake_touch import FakeTouchServer, Session  # noqa: E402
from services.testing.frames import playfield  # noqa: E402
from shared.chart import Chart, parse_chart, parse_chart_bytes  # noqa: E402
from shared.device.touch import open_touch  # noqa: E402
from shared.note_detect import detect_notes  # noqa: E402

CHARTS = ROOT / "shared" / "data" / "charts"
LEAD_S = 0.5  # from the sender being connected to its first deadline


def load_all() -> list[tuple[str, Chart]]:
    return [(p.stem, parse_chart_bytes(p.read_bytes())) for p in sorted(CHARTS.glob("*.bestdori"))]


def bench_compile(charts: list[tuple[str, Chart]]) -> None:
    print("compile (best of 5):")
    for name, c in charts:
        best = min(_timed(c) for _ in range(5))
        plan = compile_chart(c)
        print(f"  {name:26s} {best * 1e3:7.2f} ms  {c.note_count:5d} notes {len(plan.frames):5d} frames")


def _timed(c: Chart) -> float:
    t = time.perf_counter()
    compile_chart(c)
    return time.perf_counter() - t


def arrival_lateness(session: Session, plan: TouchPlan, t0: float) -> list[float]:
    touches = [c for c in session.commits if c.ops][: len(plan.frames)]
    return [c.at_ns / 1e9 - (t0 + at) for c, at in zip(touches, plan.times_s(), strict=False)]


def play_once(plan: TouchPlan) -> tuple[list[float], list[float]]:
    """(arrival lateness at the injector, lateness the sender saw), in s."""
    with FakeTouchServer() as server:
        with Player(server.url) as player:
            t0 = time.monotonic() + LEAD_S - plan.frames[0].t_us / 1e6
            stats = player.play(plan, t0)
        session = server.wait_closed()
    if not stats.ok or session.violations:
        raise SystemExit(f"play failed: {stats} {session.violations[:3]}")
    return arrival_lateness(session, plan, t0), list(stats.late_s)


def fmt(late: list[float]) -> str:
    return str(lateness_of(late))


def bench_host(charts: list[tuple[str, Chart]], seconds: float | None) -> None:
    what = "whole charts" if seconds is None else f"first {seconds:g} s of each chart"
    print(f"host timing, sender process -> loopback injector ({what}; arrival - deadline):")
    every: list[float] = []
    for name, c in charts:
        plan = compile_chart(c if seconds is None else cut(c, c.first_note_s + seconds))
        arrival, _ = play_once(plan)
        every += arrival
        print(f"  {name:26s} {len(arrival):5d} commits  {fmt(arrival)}")
    print(f"  {'all':26s} {len(every):5d} commits  {fmt(every)}")


def steady_chart(seconds: float) -> Chart:
    """Taps every half beat (0.2 s) across the lanes, a 2-beat hold every 4 beats (150 BPM)."""
    events: list[dict[str, object]] = [{"type": "BPM", "beat": 0, "bpm": 150}]
    beats = int(seconds * 150 / 60)
    for k in range(beats * 2):
        events.append({"type": "Single", "beat": k / 2, "lane": (k * 3) % 7})
    for b in range(0, beats - 2, 4):
        events.append({"type": "Long", "connections": [{"beat": b, "lane": 6}, {"beat": b + 2, "lane": 6}]})
    return parse_chart(events)


def bench_drift(seconds: float) -> None:
    plan = compile_chart(steady_chart(seconds))
    arrival, _ = play_once(plan)
    n = len(arrival)
    head, tail = arrival[: n // 10], arrival[-(n // 10) :]
    # Drift: the median lateness of the last tenth against the first (medians, so that the
    # scheduling stalls of a loaded machine do not pass for drift). Deadlines are absolute,
    # so drift could only come from the clock itself.
    drift = statistics.median(tail) - statistics.median(head)
    print(f"drift over a {seconds:g} s chart ({n} commits): {fmt(arrival)}")
    print(
        f"  median lateness first 10% {statistics.median(head) * 1e3:.3f} ms, last 10% "
        f"{statistics.median(tail) * 1e3:.3f} ms: drift {drift * 1e3:+.3f} ms"
    )


def bench_gil(seconds: float) -> None:
    """The same plan sent from a thread while the main thread runs the note detector
    (frame processing), against the sender process: what a separate process buys."""
    plan = compile_chart(steady_chart(seconds))
    frame = playfield([("tap", 3, 0.5), ("long", 1, 0.3)])
    with FakeTouchServer() as server:
        ch = open_touch(server.url)
        t0 = time.monotonic() + 0.5
        sender = threading.Thread(target=send_plan, args=(ch, plan, t0))
        sender.start()
        while sender.is_alive():
            detect_notes(frame)  # holds the GIL in Python/NumPy glue between C calls
        ch.close()
        session = server.wait_closed()
    print(
        f"sender thread beside frame processing ({seconds:g} s): {fmt(arrival_lateness(session, plan, t0))}"
    )
    arrival, _ = play_once(plan)
    print(f"sender process, same plan:              {fmt(arrival)}")


def bench_detect() -> None:
    from services.simulator.field import NoteSprite, render_playfield
    from shared.playfield import lane_x, y_of_depth

    frame = render_playfield(
        [
            NoteSprite(k, lane_x(i), y_of_depth(0.2 + 0.1 * i))
            for i, k in enumerate(("tap", "long", "flick", "skill", "tap"))
        ]
    )
    best = min(_timed_detect(frame) for _ in range(30))
    print(f"note detector on a simulator playfield frame: {best * 1e3:.2f} ms (best of 30)")


def _timed_detect(frame: object) -> float:
    t = time.perf_counter()
    detect_notes(frame)  # type: ignore[arg-type]
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="whole charts and a 5-minute drift run")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    charts = load_all()
    bench_compile(charts)
    bench_detect()
    bench_host(charts, None if args.full else 5.0)
    bench_drift(300.0 if args.full else 20.0)
    bench_gil(10.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
