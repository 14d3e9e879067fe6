"""What the scriptor remembers between cycles (``Memory``) and the play it follows from
the ready screen to its result (``Pending``).

``Memory`` is frozen: the decider (``decide.py``) returns a new one, the executor
(``loop.py``) replaces fields after its effects (a play recorded, a tap made). ``Pending``
is the executor's record of a play (its charts, plans and result votes): the decider only
reads whether there is one and whether it was played."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.scriptor.play.plan import TouchPlan
from services.scriptor.recovery import Recovery
from services.scriptor.result import ResultReading, ResultVotes
from shared.chart import Chart

Controls = tuple[str | None, bool | None]  # the ready screen's (live mode, cut-in) as read


@dataclass(frozen=True)
class Part:
    """One song of a play: a tour medley has three, one after the other."""

    song_id: int
    difficulty: int
    chart: Chart
    plan: TouchPlan
    level: int = 0


@dataclass
class Pending:
    """A play prepared on the ready screen, followed until its result is recorded."""

    song_id: int
    difficulty: int
    chart: Chart
    plan: TouchPlan
    played: bool = False
    votes: ResultVotes = field(default_factory=ResultVotes)
    medley: tuple[Part, ...] = ()  # a tour medley's 2nd and 3rd songs
    parts_played: int = 0
    untouched: str = ""  # why (part of) the song went without touches, for the history
    fault: str = ""  # what went wrong during the song (the game froze), for the history
    offset_us: int = 0  # the correction_time its plans were compiled with (fixed for the play)
    level: int = 0  # the first song's level (catalog)
    # Result frames whose complete readings did not add up to the chart.
    other_readings: list[ResultReading | None] = field(default_factory=list)

    @property
    def parts(self) -> list[Part]:
        return [Part(self.song_id, self.difficulty, self.chart, self.plan, self.level), *self.medley]


@dataclass(frozen=True)
class Skipped:
    """A room's song the scriptor cannot play: ready was pressed so the room goes on, the
    song runs without our touches and its result is recorded as skipped with ``why``."""

    song_id: int | None  # None: not recognised
    difficulty: int
    why: str


@dataclass(frozen=True)
class ControlTap:
    """The ready control last tapped: what the screen showed then, and frames waited since."""

    seen: Controls
    waited: int = 0


@dataclass(frozen=True)
class Memory:
    # The stuck-detector's counters (frozen too): the decider hands on the next one, the
    # executor replaces it after its taps, restarts and completed plays.
    recovery: Recovery = field(default_factory=Recovery)
    pending: Pending | None = None
    skipped: Skipped | None = None  # a room's song left to the others, until its result
    finished: bool = False  # the run's work is done: leave rooms, then return
    at_rest: bool = False  # finished and back at a rest state: the run ends
    tapped_on: str | None = None  # the state the last cycle tapped on
    control_tap: ControlTap | None = None
    ready_seen: int = 0  # ready screens seen since start was tapped (a room waits for peers)
    search_moves: int = 0  # song select moves while looking for ``play_one_song_id``
