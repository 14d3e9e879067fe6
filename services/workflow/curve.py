"""Fitting the first-note curve ``time_to_judge(depth) = c0 - c1/(t+c2) + c3*sqrt(t+c4)``
(``shared.playfield``) to traces of falling notes. Pure: no files, no clocks.

A trace is what the tracer records and what ``shared/data/trace_*.json`` ship:
``[[time_s, [depth, lateral]], ...]`` for the first note (one note per frame) and
``[[time_s, [[depth, lateral], ...]], ...]`` for every note (several per frame); ``lateral``
is the note's x across the track, -1..1, perspective removed, so a note keeps it while it
falls. A note reaching depth ``t`` at ``time`` is judged at ``T = time + time_to_judge(t)``;
``T`` is unknown per note, so each track gets its own ``T`` and the curve is pinned by
``time_to_judge(1) = 0`` (at the judge line the note is judged), which fixes ``c0``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

from shared.playfield import Coefficients, shipped_coefficients, time_to_judge

Point = tuple[float, float]  # (depth, lateral)
FirstNoteTrace = Sequence[tuple[float, Sequence[float]]]
NoteTrace = Sequence[tuple[float, Sequence[Sequence[float]]]]

LATERAL_GAP = 0.04  # a note in the next frame stays this close across the track
TIME_GAP_S = 0.4  # a track that is not seen for longer has ended
C4_MAX = 2.0
MIN_POINTS = 4  # shorter tracks say too little about the curve's shape


@dataclass(frozen=True)
class Track:
    """One note's fall: its depth at each time it was seen (stale repeats dropped)."""

    times: tuple[float, ...]
    depths: tuple[float, ...]


@dataclass(frozen=True)
class Fit:
    coefficients: Coefficients
    judged_at: tuple[float, ...]  # each track's judge time T
    residuals_s: tuple[tuple[float, ...], ...]  # per track: observed time - fitted time

    @property
    def flat_residuals_s(self) -> np.ndarray:
        return np.array([r for rs in self.residuals_s for r in rs])

    @property
    def rms_ms(self) -> float:
        r = self.flat_residuals_s
        return float(np.sqrt(np.mean(r**2)) * 1000) if r.size else 0.0

    @property
    def max_ms(self) -> float:
        r = self.flat_residuals_s
        return float(np.max(np.abs(r)) * 1000) if r.size else 0.0

    @property
    def points(self) -> int:
        return int(self.flat_residuals_s.size)


def _fresh(points: list[tuple[float, float]]) -> Track:
    """Drops repeats of the same depth (a stale frame the capture returned again): only
    the first sighting of a position says when the note was there."""
    times: list[float] = []
    depths: list[float] = []
    for t, d in points:
        if depths and abs(d - depths[-1]) < 1e-9:
            continue
        times.append(t)
        depths.append(d)
    return Track(tuple(times), tuple(depths))


def first_note_track(trace: FirstNoteTrace) -> Track:
    """The first-note trace as one track."""
    return _fresh([(float(t), float(p[0])) for t, p in sorted(trace, key=lambda r: r[0])])


def note_tracks(trace: NoteTrace, min_points: int = MIN_POINTS) -> list[Track]:
    """Links the notes of successive frames into tracks: a note continues the open track
    nearest to it across the track whose last depth is not below it (notes only fall)."""
    open_: list[tuple[float, float, list[tuple[float, float]]]] = []  # (lateral, last_t, points)
    done: list[list[tuple[float, float]]] = []
    for t, notes in sorted(trace, key=lambda r: r[0]):
        done.extend(pts for _, last, pts in open_ if t - last > TIME_GAP_S)
        open_ = [o for o in open_ if t - o[1] <= TIME_GAP_S]
        taken: set[int] = set()
        for d, lat in sorted(((float(n[0]), float(n[1])) for n in notes), reverse=True):
            best, gap = -1, LATERAL_GAP
            for i, (olat, _, pts) in enumerate(open_):
                if i in taken or pts[-1][1] > d + 1e-6:
                    continue
                if abs(olat - lat) <= gap:
                    best, gap = i, abs(olat - lat)
            if best < 0:
                open_.append((lat, float(t), [(float(t), d)]))
                taken.add(len(open_) - 1)
            else:
                _, _, pts = open_[best]
                pts.append((float(t), d))
                open_[best] = (lat, float(t), pts)
                taken.add(best)
    done.extend(pts for _, _, pts in open_)
    tracks = [_fresh(pts) for pts in done]
    return [tr for tr in tracks if len(tr.times) >= min_points]


def pinned(c1: float, c2: float, c3: float, c4: float) -> Coefficients:
    """The coefficients with ``c0`` chosen so that ``time_to_judge(1) = 0``."""
    c0 = c1 / (1 + c2) - c3 * math.sqrt(max(1 + c4, 0.0))
    return (c0, c1, c2, c3, c4)


def _curve(d: np.ndarray, c: Coefficients) -> np.ndarray:
    return np.asarray(c[0] - c[1] / (d + c[2]) + c[3] * np.sqrt(np.maximum(d + c[4], 0.0)))


def residuals(tracks: Sequence[Track], c: Coefficients) -> Fit:
    """How well ``c`` explains the tracks, each with its best judge time (the mean of
    ``time + time_to_judge(depth)`` over the track)."""
    judged: list[float] = []
    res: list[tuple[float, ...]] = []
    for tr in tracks:
        t = np.array(tr.times)
        ttj = _curve(np.array(tr.depths), c)
        big_t = float(np.mean(t + ttj))
        judged.append(big_t)
        res.append(tuple(float(v) for v in t - (big_t - ttj)))
    return Fit(c, tuple(judged), tuple(res))


def fit_curve(tracks: Sequence[Track], initial: Coefficients | None = None) -> Fit:
    """Least-squares fit of the curve's shape (c1..c4, c0 pinned) and one judge time per
    track to the observed times. ``initial`` (default: the shipped curve) is the start."""
    tracks = [tr for tr in tracks if tr.times]
    n = sum(len(tr.times) for tr in tracks)
    if not tracks or n < 4 + len(tracks) + 1:
        raise ValueError(
            f"too few points to fit the curve: {n} in {len(tracks)} track(s), "
            f"need at least {4 + len(tracks) + 1}"
        )
    c_init = initial or shipped_coefficients()
    idx = np.concatenate([np.full(len(tr.times), k) for k, tr in enumerate(tracks)]).astype(int)
    depth = np.concatenate([np.array(tr.depths) for tr in tracks])
    times = np.concatenate([np.array(tr.times) for tr in tracks])
    x = np.arange(n, dtype=float)

    def model(_: np.ndarray, c1: float, c2: float, c3: float, c4: float, *judged: float) -> np.ndarray:
        big_t = np.array(judged)[idx]
        return np.asarray(big_t - _curve(depth, pinned(c1, c2, c3, c4)))

    start_t = residuals(tracks, c_init).judged_at
    p0 = [c_init[1], c_init[2], c_init[3], max(c_init[4], 0.0), *start_t]
    # c2 > -min depth keeps the pole off the data; 0 <= c4 <= C4_MAX keeps the root real
    # at depth 0 and the square root a curve, not a far-off line the data cannot pin.
    lo = [-np.inf, -float(depth.min()) + 1e-3, -np.inf, 0.0, *([-np.inf] * len(tracks))]
    hi = [np.inf, np.inf, np.inf, C4_MAX, *([np.inf] * len(tracks))]
    p0[1] = max(p0[1], lo[1] + 1e-3)
    popt, _ = curve_fit(model, x, times, p0=p0, bounds=(lo, hi), maxfev=20000)
    c = pinned(*(float(v) for v in popt[:4]))
    return residuals(tracks, c)


def max_curve_gap_ms(a: Coefficients, b: Coefficients, lo: float = 0.0, hi: float = 1.0) -> float:
    """The largest difference between two curves over depths ``lo..hi``, in ms."""
    return max(abs(time_to_judge(d, a) - time_to_judge(d, b)) for d in np.linspace(lo, hi, 101)) * 1000
