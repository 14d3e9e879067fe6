"""Where the result screen (state ``award``) prints the judgement counts: one definition
for the simulator that draws them and the scriptor that reads them back. Boxes are
(x1, y1, x2, y2) in the 1280x720 frame, digits dark on a light box."""

from __future__ import annotations

DIGIT_W, DIGIT_H = 24, 40  # one digit cell
_X = 330


def _box(x: int, y: int, digits: int = 5) -> tuple[int, int, int, int]:
    return (x, y, x + digits * DIGIT_W, y + DIGIT_H)


RESULT_FIELDS: dict[str, tuple[int, int, int, int]] = {
    "perfect": _box(_X, 150),
    "great": _box(_X, 210),
    "good": _box(_X, 270),
    "bad": _box(_X, 330),
    "miss": _box(_X, 390),
    "fast": _box(190, 470),
    "slow": _box(470, 470),
    "combo": _box(_X, 540),
    "score": _box(760, 200, 8),
}
JUDGEMENTS = ("perfect", "great", "good", "bad", "miss")
