#!/usr/bin/env python
"""Simulator drawing benchmark: prints the numbers docs/performance.md records.

  .venv/bin/python scripts/bench_simulator_render.py [--rounds 200]

Measures (median and p95 ms per call, one thread):
  * render() of a static screen, warm (its backdrop and buttons cached), for every state;
  * render() of song select / ready with a song (title crop + level row pasted) and of the
    result screen with counts;
  * render_playfield() with 0, 12 and 40 notes (taps, longs with bodies, flicks,
    directionals);
  * perturb() with capture-like settings, sample_screen() and the first (cold) render of a
    state.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.simulator import screens as S  # noqa: E402
from services.simulator.field import NoteSprite, render_playfield  # noqa: E402
from services.simulator.perturb import Perturbation, perturb  # noqa: E402
from shared.playfield import LANE_X, y_of_depth  # noqa: E402
from shared.screens import UI_STATES  # noqa: E402


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def notes(n: int) -> list[NoteSprite]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        y = y_of_depth(float(rng.uniform(0.05, 1.0)))
        x = float(LANE_X[i % 7])
        kind = ("tap", "long", "flick", "directional", "skill")[i % 5]
        if kind == "long":
            out.append(NoteSprite(kind, x, y, tail_y=y - 200))
        elif kind == "directional":
            out.append(NoteSprite(kind, x, y, 2.0, "Left" if i % 2 else "Right"))
        else:
            out.append(NoteSprite(kind, x, y))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    r = args.rounds
    rows: list[tuple[str, tuple[float, float]]] = []

    t = time.perf_counter()
    S.render(S.ScreenView("tour_choose"))
    cold = (time.perf_counter() - t) * 1000
    for state in UI_STATES:
        S.render(S.ScreenView(state))  # warm the cache
    per_state = [timed(partial(S.render, S.ScreenView(s)), max(r // 10, 5))[0] for s in UI_STATES]
    rows.append(("render, static screen (worst state median)", (max(per_state), max(per_state))))
    song = S.sample_song(np.random.default_rng(1))
    rows.append(("render, choose with a song", timed(lambda: S.render(S.ScreenView("choose", song=song)), r)))
    rows.append(
        ("render, ready multiplayer + live mode off", timed(
            lambda: S.render(S.ScreenView("ready", frozenset({"pick"}), song=song, multiplayer=True,
                                          live_mode="off", cut_in=True)), r))
    )  # fmt: skip
    counts = S.sample_result(np.random.default_rng(2))
    rows.append(
        ("render, award with counts", timed(lambda: S.render(S.ScreenView("award", result=counts)), r))
    )
    rows.append(
        ("render, popup over main_page", timed(lambda: S.render(S.ScreenView("main_page", popup="x")), r))
    )
    for n in (0, 12, 40):
        ns = notes(n)
        rows.append((f"render_playfield, {n} notes", timed(partial(render_playfield, ns, combo=120), r)))
    frame = S.render(S.ScreenView("main_page"))
    cap = Perturbation(brightness=0.1, noise=4.0, jpeg_quality=80, shift=3, scale=0.01)
    rng = np.random.default_rng(3)
    rows.append(("perturb, capture-like", timed(lambda: perturb(frame, cap, rng), max(r // 4, 5))))
    rows.append(("sample_screen, ready", timed(lambda: S.sample_screen("ready", rng), max(r // 4, 5))))
    print(f"first render of a state (cold): {cold:.1f} ms")
    for name, (med, p95) in rows:
        print(f"{name:45s} median {med:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
