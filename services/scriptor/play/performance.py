"""Performance modes: how far each gesture lands from its note (docs/domain.md section 3).

AllPerfect: no offset. Custom: a judgement per gesture drawn from the weight title's
[Perfect, Great, Good, Bad, Miss] probabilities, its offset with a random sign, from one
seeded generator (a run can be reproduced). FullCombo: the same with Good/Bad/Miss zeroed.
DropLastFC / DropLastCustom: as FullCombo / Custom, and the last note one beat late."""

from __future__ import annotations

import random
from collections.abc import Sequence

from shared.config.scriptor import Performance

JUDGEMENTS = ("Perfect", "Great", "Good", "Bad", "Miss")
OFFSETS_S = (0.0, 0.032, 0.040, 0.048, 1.0)
Weights = tuple[float, float, float, float, float]

# Song level -> the default weight title: the first rung whose floor the level reaches.
LEVEL_LADDER: tuple[tuple[int, str], ...] = (
    (32, "blind"),
    (30, "hell"),
    (29, "fool"),
    (28, "newbee"),
    (27, "skilled"),
    (26, "master"),
    (25, "top"),
    (23, "nohuman"),
    (18, "newworld"),
)
LADDER_BOTTOM = "god"


def ladder_title(level: int) -> str:
    for floor, title in LEVEL_LADDER:
        if level >= floor:
            return title
    return LADDER_BOTTOM


def effective_weights(performance: Performance, weights: Sequence[float]) -> Weights | None:
    """The probabilities a mode draws from, normalised; None when it draws nothing."""
    if performance is Performance.AllPerfect:
        return None
    w = [max(float(v), 0.0) for v in weights]
    if len(w) != len(JUDGEMENTS):
        raise ValueError(f"weights need {len(JUDGEMENTS)} values (Perfect..Miss), got {len(w)}")
    if performance in (Performance.FullCombo, Performance.DropLastFC):
        w[2] = w[3] = w[4] = 0.0
    total = sum(w)
    if total <= 0:
        return (1.0, 0.0, 0.0, 0.0, 0.0)
    p, g, gd, b, m = (v / total for v in w)
    return (p, g, gd, b, m)


def drops_last(performance: Performance) -> bool:
    return performance in (Performance.DropLastFC, Performance.DropLastCustom)


def draw_offsets(count: int, weights: Weights | None, seed: int) -> list[tuple[str, float]]:
    """One (judgement, signed offset in s) per gesture."""
    if weights is None:
        return [("Perfect", 0.0)] * count
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        k = rng.choices(range(len(JUDGEMENTS)), weights=weights)[0]
        sign = rng.choice((-1.0, 1.0))
        out.append((JUDGEMENTS[k], sign * OFFSETS_S[k]))
    return out
