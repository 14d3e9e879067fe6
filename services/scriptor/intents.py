"""What the decider (``decide.py``) asks the executor (``loop.py``) to do: plain data, so a
decision is checked by comparing values, without a device or a clock."""

from __future__ import annotations

from dataclasses import dataclass

from services.scriptor.actions import Tap
from services.scriptor.memory import Pending, Skipped
from services.scriptor.recovery import Step
from shared.task_context import LogLevel


@dataclass(frozen=True)
class Press:
    """Tap ``state``'s buttons in order (the recovery's safe tap presses on ``unknown``)."""

    state: str
    taps: tuple[Tap, ...]


@dataclass(frozen=True)
class Recover:
    """A step of the recovery ladder (safe tap, BACK, restart, give up), said in the log."""

    step: Step
    why: str
    taps: tuple[Tap, ...] = ()  # the safe tap: the last dialog's dismiss taps


@dataclass(frozen=True)
class EndRun:
    """The run's work is done and the game rests on ``state``: no further taps."""

    state: str


@dataclass(frozen=True)
class ReadResult:
    """Read the result screen of the play in progress and record it; the intents after it
    wait while it still needs frames."""

    state: str


@dataclass(frozen=True)
class RecordLost:
    """A play that was played but whose result never showed: recorded as lost (``what``
    happened), never as cleared."""

    pending: Pending
    what: str


@dataclass(frozen=True)
class RecordSkipped:
    """A room's song the scriptor did not play: recorded as skipped (never cleared)."""

    skipped: Skipped


@dataclass(frozen=True)
class SitOut:
    """The playing screen of a room's song left to the others: wait, without touches, until
    the song is over (watched like a play, so a long song is not a stuck screen)."""


@dataclass(frozen=True)
class PreparePlay:
    """The ready screen: recognise the song(s), compile the chart(s), pick the difficulty
    and press start; or skip a song that cannot be played."""


@dataclass(frozen=True)
class PlaySong:
    """The playing screen: play the pending play's next song."""


@dataclass(frozen=True)
class GiveUp:
    """Stop the run with an error bundle."""

    why: str


Intent = (
    Press
    | Recover
    | EndRun
    | ReadResult
    | RecordLost
    | RecordSkipped
    | PreparePlay
    | PlaySong
    | SitOut
    | GiveUp
)


@dataclass(frozen=True)
class Note:
    """A log line; ``keep``: also kept for the error bundle's log."""

    message: str
    level: LogLevel = "info"
    keep: bool = True


@dataclass(frozen=True)
class Decision:
    intents: tuple[Intent, ...] = ()  # none: wait, look again next cycle
    notes: tuple[Note, ...] = ()  # said before the intents run
    # The state's own action (not a recovery step): the executor remembers the state as
    # just tapped when its taps ran, so the next frame is looked at before tapping again.
    acts: bool = False
