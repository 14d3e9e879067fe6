"""The chart model: what a Bestdori chart means once parsed, in beats and in seconds.

Note counts follow the game's combo: a tap, flick or directional is one note; a long note
is two (start and end); a slide is one per visible connection (hidden ones only bend it).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

LANES = 7  # lane 0..6, left to right


@dataclass(frozen=True)
class BpmChange:
    beat: float
    bpm: float


class _Instant:
    """A note hit at one beat: it ends where it starts and counts once in the combo."""

    beat: float

    @property
    def end_beat(self) -> float:
        return self.beat

    @property
    def note_count(self) -> int:
        return 1


@dataclass(frozen=True)
class Tap(_Instant):
    """``Single``: a tap, or a flick when ``flick``."""

    beat: float
    lane: float
    flick: bool = False
    skill: bool = False


@dataclass(frozen=True)
class Directional(_Instant):
    """A sideways flick spanning ``width`` lanes from ``lane``."""

    beat: float
    lane: float
    direction: Literal["Left", "Right"]
    width: int = 1
    skill: bool = False


@dataclass(frozen=True)
class SlidePoint:
    beat: float
    lane: float
    hidden: bool = False
    flick: bool = False
    skill: bool = False


@dataclass(frozen=True)
class Slide:
    """A held note following ``points``. ``long`` marks the new form's ``Long`` (two points,
    one lane); the old form folds those into ``Slide`` and both play the same way."""

    points: tuple[SlidePoint, ...]
    long: bool = False

    @property
    def beat(self) -> float:
        return self.points[0].beat

    @property
    def end_beat(self) -> float:
        return self.points[-1].beat

    @property
    def lane(self) -> float:
        return self.points[0].lane

    @property
    def note_count(self) -> int:
        return sum(1 for p in self.points if not p.hidden)


Note = Tap | Directional | Slide


@dataclass(frozen=True)
class ChartIssue:
    """A malformed event the parser skipped or repaired; ``index`` is its position in the
    raw list (-1 for the chart as a whole)."""

    index: int
    message: str

    def __str__(self) -> str:
        return self.message if self.index < 0 else f"event {self.index}: {self.message}"


@dataclass(frozen=True)
class Chart:
    bpms: tuple[BpmChange, ...]  # sorted by beat; the first applies from beat 0
    notes: tuple[Note, ...]  # sorted by start beat
    form: Literal["old", "new"] = "new"
    issues: tuple[ChartIssue, ...] = ()
    errata: tuple[str, ...] = ()  # errata applied while loading
    _starts: tuple[float, ...] = field(default=(), repr=False, compare=False)  # seconds at each BPM
    _beats: tuple[float, ...] = field(default=(), repr=False, compare=False)  # beat of each BPM

    def __post_init__(self) -> None:
        if not self.bpms or any(b.bpm <= 0 for b in self.bpms):
            raise ValueError("a chart needs BPM changes with positive tempos")
        # The first tempo applies from beat 0 even when the chart marks it later.
        starts = [0.0]
        for k in range(1, len(self.bpms)):
            origin = self.bpms[k - 1].beat if k > 1 else 0.0
            starts.append(starts[-1] + (self.bpms[k].beat - origin) * 60.0 / self.bpms[k - 1].bpm)
        object.__setattr__(self, "_starts", tuple(starts))
        object.__setattr__(self, "_beats", tuple(b.beat for b in self.bpms))

    def seconds(self, beat: float) -> float:
        """Seconds from beat 0 to ``beat``, piecewise over the BPM changes."""
        i = max(bisect.bisect_right(self._beats, beat) - 1, 0)
        origin = self.bpms[i].beat if i else 0.0
        return self._starts[i] + (beat - origin) * 60.0 / self.bpms[i].bpm

    @property
    def note_count(self) -> int:
        return sum(n.note_count for n in self.notes)

    def counts(self) -> dict[str, int]:
        """Notes by kind (taps, flicks, directionals, long/slide notes) - the numbers a
        player compares against Bestdori's chart page."""
        out = {"tap": 0, "flick": 0, "directional": 0, "long": 0, "slide": 0}
        for n in self.notes:
            if isinstance(n, Tap):
                out["flick" if n.flick else "tap"] += 1
            elif isinstance(n, Directional):
                out["directional"] += 1
            else:
                out["long" if n.long else "slide"] += n.note_count
        return out

    @property
    def first_note_s(self) -> float:
        return self.seconds(self.notes[0].beat) if self.notes else 0.0

    @property
    def last_note_s(self) -> float:
        return self.seconds(max(n.end_beat for n in self.notes)) if self.notes else 0.0

    @property
    def duration_s(self) -> float:
        """From the chart's start (beat 0) to the end of its last note."""
        return self.last_note_s
