"""Frames of notes falling along a known curve, drawn by the simulator's playfield: what
the tracer sees during a song, with the truth to compare against."""

from __future__ import annotations

import numpy as np

from services.simulator.field import NoteSprite, render_playfield
from shared.playfield import Coefficients, depth_at, lane_x, y_of_depth

FALL_S = 0.6  # about how long a note is on the track (depth 0 -> 1)


def falling(t: float, notes: list[tuple[float, int, str]], c: Coefficients) -> np.ndarray:
    """The playfield at time ``t`` with each ``(judged_at, lane, kind)`` note where the
    curve ``c`` puts it; notes off the track (not yet shown, or judged) are left out."""
    sprites = []
    for judged_at, lane, kind in notes:
        d = depth_at(judged_at - t, c)
        if 0.0 <= d <= 1.0:
            direction = "Left" if kind == "directional" else None
            sprites.append(NoteSprite(kind, lane_x(lane), y_of_depth(d), direction=direction))
    return render_playfield(sprites)
