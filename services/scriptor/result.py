"""Reading the result screen after a song: Perfect/Great/Good/Bad/Miss, FAST/SLOW, and with
them MAX COMBO, score and the song (difficulty, level, catalog id and title), by the
result reader of ``services.recognition.screen.result``.

A reading is trusted only when it adds up: the five judgements must sum to the chart's
note count (when known). The screen stays up for a while, so the loop reads several
frames and keeps, per field, the value most frames agree on (``ResultVotes``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.recognition.screen.result import read_result
from shared.catalog import Song
from shared.screen_facts import JUDGEMENTS

READ_FIELDS = (*JUDGEMENTS, "fast", "slow")  # required for a reading
EXTRA_FIELDS = ("max_combo", "score", "difficulty", "level", "song_id", "title")  # kept when read

Value = int | str


@dataclass(frozen=True)
class ResultReading:
    counts: dict[str, int]  # perfect .. miss
    fast: int
    slow: int
    max_combo: int | None = None
    score: int | None = None
    difficulty: str | None = None
    level: int | None = None
    song_id: int | None = None
    title: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def read_fields(frame: npt.NDArray[np.uint8], songs: Sequence[Song] = ()) -> dict[str, Value | None]:
    """Each field's value, None where it cannot be read."""
    r = read_result(frame, songs).as_dict()
    return {name: r[name] for name in (*READ_FIELDS, *EXTRA_FIELDS)}


def as_reading(values: Mapping[str, Value | None], note_count: int | None = None) -> ResultReading | None:
    """A complete reading, or None when a required field is missing or the judgements do
    not add up to the chart's ``note_count``."""
    if any(not isinstance(values.get(k), int) for k in READ_FIELDS):
        return None
    counts = {k: int(values[k] or 0) for k in JUDGEMENTS}
    if note_count is not None and sum(counts.values()) != note_count:
        return None

    def num(k: str) -> int | None:
        v = values.get(k)
        return v if isinstance(v, int) else None

    def word(k: str) -> str | None:
        v = values.get(k)
        return v if isinstance(v, str) else None

    return ResultReading(
        counts,
        int(values["fast"] or 0),
        int(values["slow"] or 0),
        max_combo=num("max_combo"),
        score=num("score"),
        difficulty=word("difficulty"),
        level=num("level"),
        song_id=num("song_id"),
        title=word("title"),
    )


@dataclass
class ResultVotes:
    """Readings of several frames of one result screen, combined field by field."""

    note_count: int | None = None
    songs: Sequence[Song] = ()  # the catalog, for the title
    votes: dict[str, Counter[Value]] = field(
        default_factory=lambda: {k: Counter() for k in (*READ_FIELDS, *EXTRA_FIELDS)}
    )
    frames: int = 0

    def add(self, frame: npt.NDArray[np.uint8]) -> ResultReading | None:
        """Add one frame; returns the reading once every required field has a majority
        value and the judgements add up."""
        self.frames += 1
        for name, value in read_fields(frame, self.songs).items():
            if value is not None:
                self.votes[name][value] += 1
        return self.best()

    def _majority(self, name: str) -> tuple[bool, Value | None]:
        """(decided, value): undecided on a tie, (True, None) when never read."""
        c = self.votes[name]
        if not c:
            return True, None
        (value, n), *rest = c.most_common(2)
        return (False, None) if rest and rest[0][1] == n else (True, value)

    def best(self) -> ResultReading | None:
        values: dict[str, Value | None] = {}
        for name in (*READ_FIELDS, *EXTRA_FIELDS):
            decided, value = self._majority(name)
            if name in READ_FIELDS and (not decided or value is None):
                return None  # a tie or nothing yet: wait for another frame
            values[name] = value
        return as_reading(values, self.note_count)
