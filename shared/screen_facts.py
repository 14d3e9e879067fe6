"""Pixels of the game's screens that the scriptor reads: one definition for the simulator
that draws them and the scriptor that reads them back (1280x720 frame).

- The result screen (state ``award``) prints the judgement counts in ``RESULT_FIELDS``
  boxes (x1, y1, x2, y2), digits dark on a light box.
- The ready screen shows whether 3D and MV are on by the check square at
  ``TOGGLE_PIXELS`` (green when on).
- Story select marks an unread story with a red dot at ``STORY_UNREAD_PIXEL``."""

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


TOGGLE_PIXELS: dict[str, tuple[int, int]] = {"3d": (116, 652), "mv": (476, 650)}
TOGGLE_ON_BGR = (90, 220, 90)
STORY_UNREAD_PIXEL = (1172, 600)
STORY_UNREAD_BGR = (40, 40, 230)


def _near(bgr: tuple[int, int, int], want: tuple[int, int, int], tol: int = 60) -> bool:
    return sum(abs(int(a) - int(b)) for a, b in zip(bgr, want, strict=True)) <= tol


def toggle_is_on(pixel_bgr: tuple[int, int, int]) -> bool:
    return _near(pixel_bgr, TOGGLE_ON_BGR)


def story_unread(pixel_bgr: tuple[int, int, int]) -> bool:
    return _near(pixel_bgr, STORY_UNREAD_BGR)
