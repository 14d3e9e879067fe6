"""The contract between the runtime and a task body.

A task body is ``def body(ctx: TaskContext[MyConfig]) -> None``. It reads ``ctx.config``
(the live, validated config of its module's model, re-read at checkpoints), reports
through ``log``/``progress``/``state``/``image``, calls ``checkpoint()`` (or ``sleep()``)
often, and returns when done. Raising ``TaskStopped`` (what ``checkpoint`` does once a
stop is asked) ends it as *stopped*; raising ``TaskError`` ends it as *failed* with its
message as the one-line reason (a foreseeable problem: no traceback); any other exception
ends it as *failed* too, the traceback attached to the log line as details (a bug). A task
that drives the game uses ``ctx.device``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from shared.device import Device
    from shared.live_state import LiveState

LogLevel = Literal["debug", "info", "warning", "error"]
ANSWERS = ("Yes", "No", "Drop", "Stop")
TIMED_OUT = "Timeout"  # the reply when a question with a time limit went unanswered


class TaskStopped(Exception):
    """Raised inside a task when the user asked it to stop."""


class TaskError(Exception):
    """A foreseeable failure the user can act on (Bestdori unreachable, too few titles to
    train): the message is the whole story, shown as one line without a traceback."""


@dataclass(frozen=True)
class Reply:
    answer: str  # one of the prompt's options, e.g. Yes / No / Drop / Stop
    text: str | None = None  # free text, e.g. the song id after "No"


C_co = TypeVar("C_co", bound=BaseModel, covariant=True)


class TaskContext(Protocol[C_co]):
    """Generic in the config model: ``TaskContext[FetchConfig]``'s ``config`` is a
    ``FetchConfig`` (the runtime validates it with the module's model before the body runs)."""

    module: str
    task: str
    job_id: str
    data_dir: Path

    @property
    def config(self) -> C_co:
        """The latest applied config (updated at checkpoints)."""
        ...

    @property
    def device(self) -> Device:
        """The game's device (``AUTOBANG_DEVICE``), built on first use and closed when the
        task ends; only tasks that hold the device lease (``uses_device``) have one. A body
        never constructs a device itself. Raises ``DeviceError`` when it cannot be reached."""
        ...

    def log(self, message: str, level: LogLevel = "info") -> None: ...

    def progress(
        self, done: float, total: float | None = None, *, message: str = "", **metrics: float | str
    ) -> None:
        """Progress of long work; ``metrics`` (loss, lr, eta_s...) feed the UI's charts."""
        ...

    def state(self, live: LiveState | None = None, /, **fields: Any) -> None:
        """Task-specific status fields shown in the sidebar (e.g. current screen state):
        the module's model from ``shared.live_state`` (``ScriptorLive(screen=...)``), or
        its fields as keywords; either is checked against that model (``LiveStateError``)."""
        ...

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        """Publish a picture (a frame, a loss curve, a histogram) as PNG bytes."""
        ...

    def checkpoint(self) -> None:
        """Apply pending config changes; raise ``TaskStopped`` if a stop was asked."""
        ...

    def should_stop(self) -> bool: ...

    def sleep(self, seconds: float) -> None:
        """Sleep that wakes for control messages and raises ``TaskStopped`` on stop."""
        ...

    def ask(
        self,
        prompt: str,
        options: Sequence[str] = ANSWERS,
        *,
        text: str | None = None,
        choices: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> Reply:
        """Ask the user and block until they reply (or raise ``TaskStopped`` on stop).
        ``text`` is a hint for the optional text box (e.g. "song id"). With ``timeout_s``
        the question closes unanswered after that long: the reply is ``TIMED_OUT``."""
        ...
