"""Reading the result screen after a song: Perfect/Great/Good/Bad/Miss and FAST/SLOW.

A reading is trusted only when it adds up: the five judgements must sum to the chart's
note count (when known). The screen stays up for a while, so the loop reads several
frames and keeps, per field, the value most frames agree on (``ResultVotes``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.digits import read_number
from shared.screen_facts import JUDGEMENTS, RESULT_FIELDS

READ_FIELDS = (*JUDGEMENTS, "fast", "slow")


@dataclass(frozen=True)
class ResultReading:
    counts: dict[str, int]  # perfect .. miss
    fast: int
    slow: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def read_fields(
    frame: npt.NDArray[np.uint8], fields: Mapping[str, tuple[int, int, int, int]] = RESULT_FIELDS
) -> dict[str, int | None]:
    """Each field's number, None where it cannot be read."""
    gray: npt.NDArray[np.uint8] = np.asarray(
        cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame, dtype=np.uint8
    )
    return {name: read_number(gray, fields[name]) for name in READ_FIELDS}


def as_reading(values: Mapping[str, int | None], note_count: int | None = None) -> ResultReading | None:
    """A complete reading, or None when a field is missing or the judgements do not add
    up to the chart's ``note_count``."""
    if any(values.get(k) is None for k in READ_FIELDS):
        return None
    counts = {k: int(values[k] or 0) for k in JUDGEMENTS}
    if note_count is not None and sum(counts.values()) != note_count:
        return None
    return ResultReading(counts, int(values["fast"] or 0), int(values["slow"] or 0))


@dataclass
class ResultVotes:
    """Readings of several frames of one result screen, combined field by field."""

    note_count: int | None = None
    votes: dict[str, Counter[int]] = field(default_factory=lambda: {k: Counter() for k in READ_FIELDS})
    frames: int = 0

    def add(self, frame: npt.NDArray[np.uint8]) -> ResultReading | None:
        """Add one frame; returns the reading once every field has a majority value and
        the judgements add up."""
        self.frames += 1
        for name, value in read_fields(frame).items():
            if value is not None:
                self.votes[name][value] += 1
        return self.best()

    def best(self) -> ResultReading | None:
        values: dict[str, int | None] = {}
        for name, c in self.votes.items():
            if not c:
                return None
            (value, n), *rest = c.most_common(2)
            if rest and rest[0][1] == n:
                return None  # a tie: wait for another frame
            values[name] = value
        return as_reading(values, self.note_count)
