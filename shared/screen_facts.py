"""Pixels of the game's screens that the scriptor reads: one definition for the simulator
that draws them and the scriptor that reads them back (1280x720 frame).

- The result screen (state ``award``) prints the judgement counts in ``RESULT_FIELDS``
  boxes (x1, y1, x2, y2), digits dark on a light box.
- The ready screen shows whether 3D and MV are on by the check square at
  ``TOGGLE_PIXELS`` (green when on).
- Story select marks an unread story with a red dot at ``STORY_UNREAD_PIXEL``.
- The ready screen of a tour medley shows the medley's second and third songs' title
  crops at ``MEDLEY_TITLE_REGIONS`` (the first song's sits where a fixed-difficulty ready
  screen has it), each with its level in the row below, like every song title."""

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


# (x1, y1, x2, y2) of the 2nd and 3rd medley songs' 36x450 title crops; level rows below.
MEDLEY_TITLE_REGIONS: tuple[tuple[int, int, int, int], ...] = ((220, 396, 670, 432), (220, 468, 670, 504))

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
