"""The result screen (state ``award``) read into numbers: the five judgement counts,
FAST/SLOW, MAX COMBO, score, and the song (difficulty badge, level, title matched to the
catalog), from the solo card or the co-op one (the same card shifted by COOP_OFFSET)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.screen.badge import badge_difficulty
from services.recognition.screen.frame import Frame, to_reference
from services.recognition.screen.glyphs import classify, glyph_boxes, ink_mask, read_digits
from services.recognition.screen.title import match_title
from shared.catalog import Song
from shared.screen_facts import (
    COOP_OFFSET,
    COUNT_DIGITS,
    COUNT_FIELDS,
    DIFFICULTY_BADGE,
    DIGIT_HEIGHT,
    LEVEL_REGION,
    RESULT_FIELDS,
    SCORE_DIGIT_HEIGHT,
    SCORE_DIGITS,
    TITLE_REGION,
    Box,
    shifted,
)

Panel = Literal["solo", "coop"]
LEVEL_DIGIT_HEIGHT = 17  # px of "Lv. NN"'s digits (real capture)
NUMBER_FIELDS = (*COUNT_FIELDS, "score")


@dataclass(frozen=True)
class ResultScreen:
    perfect: int | None = None
    great: int | None = None
    good: int | None = None
    bad: int | None = None
    miss: int | None = None
    fast: int | None = None
    slow: int | None = None
    max_combo: int | None = None
    score: int | None = None
    difficulty: str | None = None
    level: int | None = None
    song_id: int | None = None
    title: str | None = None
    panel: Panel = "solo"

    def numbers(self) -> dict[str, int | None]:
        return {k: getattr(self, k) for k in NUMBER_FIELDS}

    @property
    def counts_read(self) -> int:
        return sum(v is not None for v in self.numbers().values())

    @property
    def complete(self) -> bool:
        """Every field read (song_id may stay None for a song not in the catalog)."""
        return self.counts_read == len(NUMBER_FIELDS) and None not in (
            self.difficulty,
            self.level,
            self.title,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _grey(frame: Frame) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.uint8)


def _crop(grey: npt.NDArray[np.uint8], box: Box) -> npt.NDArray[np.uint8]:
    x1, y1, x2, y2 = box
    return grey[max(y1, 0) : y2, max(x1, 0) : x2]


def read_numbers(grey: npt.NDArray[np.uint8], offset: tuple[int, int] = (0, 0)) -> dict[str, int | None]:
    """The card's numbers; a count is up to COUNT_DIGITS digits (a washed-out capture can
    lose the light leading zeros, which change nothing)."""
    out: dict[str, int | None] = {}
    for name in NUMBER_FIELDS:
        score = name == "score"
        digits = read_digits(
            _crop(grey, shifted(RESULT_FIELDS[name], offset)), SCORE_DIGIT_HEIGHT if score else DIGIT_HEIGHT
        )
        too_long = digits is not None and len(digits) > (SCORE_DIGITS if score else COUNT_DIGITS)
        out[name] = None if digits is None or too_long else int(digits)
    return out


def read_difficulty(frame: Frame) -> str | None:
    """The badge's difficulty by its colour's hue; None when no badge is there."""
    _, y1, x2, y2 = DIFFICULTY_BADGE
    # The badge sits on the white top bar: a coloured backdrop with no bar is no badge.
    beside = cv2.cvtColor(frame[y1:y2, x2 + 2 : x2 + 10], cv2.COLOR_BGR2HSV)
    if ((beside[..., 1] < 50) & (beside[..., 2] >= 120)).mean() < 0.6:
        return None
    return badge_difficulty(frame, DIFFICULTY_BADGE)


def read_level(grey: npt.NDArray[np.uint8]) -> int | None:
    """The number of "Lv. NN": the glyphs of cap height at the right end of the region,
    as far left as they stay close together (the gap after "Lv." is wider)."""
    mask = ink_mask(_crop(grey, LEVEL_REGION))
    if mask is None:
        return None
    boxes = [b for b in glyph_boxes(mask, LEVEL_DIGIT_HEIGHT) if b[3] - b[1] >= 0.8 * LEVEL_DIGIT_HEIGHT]
    if not boxes:
        return None
    run = [boxes[-1]]
    for b in reversed(boxes[:-1]):
        if run[0][0] - b[2] > 0.3 * LEVEL_DIGIT_HEIGHT:
            break
        run.insert(0, b)
    digits = [classify(mask[y1:y2, x1:x2]) for x1, y1, x2, y2 in run]
    if any(d is None for d in digits) or len(digits) > 2:
        return None
    return int("".join(str(d) for d in digits))


def title_ink(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_] | None:
    mask = ink_mask(_crop(grey, TITLE_REGION))
    if mask is None or mask.sum() < 20:
        return None
    return mask.astype(bool)


def read_result(frame: npt.NDArray[np.generic], songs: Iterable[Song] = ()) -> ResultScreen:
    """Everything the result screen shows; a field that cannot be read is None. ``songs``
    (the catalog) lets the title be matched to a song; without it song_id and title stay
    None."""
    ref = to_reference(frame)
    grey = _grey(ref)
    solo = read_numbers(grey)
    panel: Panel = "solo"
    numbers = solo
    if sum(v is not None for v in solo.values()) < len(NUMBER_FIELDS):
        coop = read_numbers(grey, COOP_OFFSET)
        if sum(v is not None for v in coop.values()) > sum(v is not None for v in solo.values()):
            panel, numbers = "coop", coop
    difficulty = read_difficulty(ref)
    level = read_level(grey)
    song_id: int | None = None
    title: str | None = None
    ink = title_ink(grey)
    if ink is not None:
        m = match_title(ink, songs, difficulty, level)
        if m is not None:
            song_id, title = m.song_id, m.title
    return ResultScreen(
        **numbers, difficulty=difficulty, level=level, song_id=song_id, title=title, panel=panel
    )
