"""The fit against the trace as a PNG: observed time to judge over depth with the fitted
and the previous curve, and the residuals underneath (TraceNote / TraceFirstNote)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from services.workflow.curve import Fit, Track
from shared.playfield import Coefficients, time_to_judge


def fit_png(tracks: Sequence[Track], fit: Fit, previous: Coefficients) -> bytes:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, height_ratios=(3, 1))
    try:
        for tr, big_t, res in zip(tracks, fit.judged_at, fit.residuals_s, strict=True):
            d = np.array(tr.depths)
            top.plot(d, big_t - np.array(tr.times), ".", ms=4)
            bottom.plot(d, np.array(res) * 1000, ".", ms=4)
        grid = np.linspace(0, 1, 101)
        top.plot(grid, [time_to_judge(g, fit.coefficients) for g in grid], "k-", label="fitted")
        top.plot(grid, [time_to_judge(g, previous) for g in grid], "r--", label="in use before")
        top.set_ylabel("time to judge (s)")
        top.set_title(
            f"{fit.points} points, {len(tracks)} note(s): rms {fit.rms_ms:.2f} ms, max {fit.max_ms:.2f} ms"
        )
        top.legend()
        bottom.axhline(0, color="k", lw=0.5)
        bottom.set_xlabel("depth (0 top line, 1 judge line)")
        bottom.set_ylabel("residual (ms)")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        return buf.getvalue()
    finally:
        plt.close(fig)
