"""How far off a play's touches were, from its result screen alone (pure).

The result screen gives counts per judgement (Perfect .. Miss) and how many of the
non-Perfect hits were FAST or SLOW. Each judgement says the touch's error lay in a band of
the judgement windows (``shared.judge_windows``): Perfect within +-30 ms, Great 30..38 ms
either side, and so on; FAST/SLOW say which side. Touch errors are modelled as normal,
mean ``mu`` (the offset to remove) and spread ``sigma`` (jitter), and ``mu`` is the one of
greatest likelihood (profiled over ``sigma``): the Perfect/Great/Good/Bad mix says how far,
FAST/SLOW which way, so one play of all-Good-FAST moves the offset by ~40 ms, not a step.

A play with nothing but Perfect says nothing (every ``mu`` well inside the Perfect window
fits it as well): the estimate is then 0. In general it is the smallest move the counts
support (``SUPPORT``), so little evidence moves the offset little. Misses have
no side (and may be notes never touched), so they only say "beyond the Bad window"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import erf, sqrt

import numpy as np
import numpy.typing as npt

from shared.judge_windows import WINDOWS_MS

MU_RANGE_MS = 150.0  # searched either side of 0
MU_STEP_MS = 0.25
SIGMAS_MS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 11.0, 15.0, 20.0, 30.0)
MIN_HIT = 3  # fewer non-Miss judgements than this: no estimate (Bad hits still say which way)
# The estimate is the smallest |mu| within this many log-likelihood units of the best fit
# (the near edge of a ~90 % likelihood interval): a lone Great among hundreds of Perfect
# moves the offset a little, not by 25 ms; a play of all Good moves it all the way.
SUPPORT = 1.5
GRADES = ("great", "good", "bad")  # the judgements that come with FAST/SLOW


@dataclass(frozen=True)
class OffsetEstimate:
    mean_error_ms: float  # + late (SLOW): the offset should move by minus this
    sigma_ms: float  # the jitter that fits best
    hits: int  # judgements it rests on (Perfect .. Bad)
    misses: int

    @property
    def shift_us(self) -> int:
        """The ``correction_time`` change that cancels the error."""
        return -round(self.mean_error_ms * 1000)


_cdf = np.vectorize(lambda z: 0.5 * (1.0 + erf(z / sqrt(2.0))), otypes=[float])


def _log(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.log(np.maximum(p, 1e-300))


def estimate(
    counts: Mapping[str, int],
    fast: int,
    slow: int,
    windows_ms: tuple[float, float, float, float] = WINDOWS_MS,
) -> OffsetEstimate | None:
    """The mean touch error of one play, or None when the counts say too little (fewer
    than ``MIN_HIT`` hits: an untouched song, a failed read)."""
    n = {k: max(int(counts.get(k, 0)), 0) for k in ("perfect", *GRADES, "miss")}
    hits = n["perfect"] + sum(n[g] for g in GRADES)
    if hits < MIN_HIT:
        return None
    perfect, great, good, bad = windows_ms
    edges = (perfect, great, good, bad)
    mu = np.arange(-MU_RANGE_MS, MU_RANGE_MS + MU_STEP_MS / 2, MU_STEP_MS)[:, None]
    sigma = np.asarray(SIGMAS_MS)[None, :]

    def below(x: float) -> npt.NDArray[np.float64]:  # P(error <= x)
        out: npt.NDArray[np.float64] = _cdf((x - mu) / sigma)
        return out

    p_perfect = below(perfect) - below(-perfect)
    late = {g: below(edges[i + 1]) - below(edges[i]) for i, g in enumerate(GRADES)}
    early = {g: below(-edges[i]) - below(-edges[i + 1]) for i, g in enumerate(GRADES)}
    p_miss = below(-bad) + (1.0 - below(bad))
    # The grade mix (each grade either side) and, apart, the FAST/SLOW split of the graded
    # hits: the screen gives the two only as totals, not per grade.
    ll = n["perfect"] * _log(p_perfect) + n["miss"] * _log(p_miss)
    for g in GRADES:
        ll = ll + n[g] * _log(late[g] + early[g])
    p_late = sum(late.values(), np.zeros_like(p_perfect))
    p_early = sum(early.values(), np.zeros_like(p_perfect))
    graded = p_late + p_early
    if fast + slow:
        ll = ll + slow * _log(p_late / np.maximum(graded, 1e-300))
        ll = ll + fast * _log(p_early / np.maximum(graded, 1e-300))
    best_per_mu = ll.max(axis=1)
    top = float(best_per_mu.max())
    candidates = np.flatnonzero(best_per_mu >= top - SUPPORT)
    i = int(candidates[np.argmin(np.abs(mu[candidates, 0]))])
    j = int(np.argmax(ll[i]))
    return OffsetEstimate(float(mu[i, 0]), float(SIGMAS_MS[j]), hits, n["miss"])
