"""An in-process TaskContext for calling task bodies directly in tests: it records what the
task reports, answers prompts from a script, and can ask the task to stop after a number of
checkpoints. (The real, Redis-backed context is tested through the workers.)"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from shared.live_state import LiveState, state_update
from shared.task_context import ANSWERS, TIMED_OUT, LogLevel, Reply, TaskStopped

if TYPE_CHECKING:
    from shared.device import Device


class Progress(NamedTuple):
    done: float
    total: float | None
    message: str
    metrics: dict[str, float | str]


C = TypeVar("C", bound=BaseModel)


class RecordingContext(Generic[C]):
    job_id = "test-job"

    def __init__(
        self,
        data_dir: Path,
        config: C,
        replies: Sequence[Reply] = (),
        *,
        stop_after_checkpoints: int | None = None,
        module: str = "test",
        task: str = "test",
        device: Device | None = None,
    ) -> None:
        self.module, self.task = module, task
        self.data_dir = data_dir
        self._config = config
        self.replies = list(replies)
        self.stop_after = stop_after_checkpoints
        self.checkpoints = 0
        self.prompts: list[str] = []
        self.options: list[tuple[str, ...]] = []  # the answers each prompt offered
        self.choices: list[tuple[str, ...]] = []  # the choices each prompt offered
        self.logs: list[tuple[str, str]] = []
        self.progresses: list[Progress] = []
        self.states: list[dict[str, Any]] = []
        self.images: list[tuple[str, int]] = []
        self.metas: list[dict[str, Any]] = []  # each image's meta, in the order of images
        self.slept: list[float] = []
        self._device = device

    @property
    def device(self) -> Device:
        if self._device is None:
            raise RuntimeError(f"{self.module}:{self.task} has no device (pass device= to RecordingContext)")
        return self._device

    @property
    def config(self) -> C:
        return self._config

    def log(self, message: str, level: LogLevel = "info") -> None:
        self.logs.append((level, message))

    def progress(
        self, done: float, total: float | None = None, *, message: str = "", **metrics: float | str
    ) -> None:
        self.progresses.append(Progress(done, total, message, dict(metrics)))

    def state(self, live: LiveState | None = None, /, **fields: Any) -> None:
        self.states.append(state_update(self.module, live, fields))

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        assert png.startswith(b"\x89PNG"), "ctx.image takes PNG bytes"
        self.images.append((kind, len(png)))
        self.metas.append(dict(meta or {}))

    def should_stop(self) -> bool:
        return self.stop_after is not None and self.checkpoints >= self.stop_after

    def checkpoint(self) -> None:
        if self.should_stop():
            raise TaskStopped()
        self.checkpoints += 1

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.should_stop():
            raise TaskStopped()
        time.sleep(seconds)

    def ask(
        self,
        prompt: str,
        options: Sequence[str] = ANSWERS,
        *,
        text: str | None = None,
        choices: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> Reply:
        self.prompts.append(prompt)
        self.options.append(tuple(options))
        self.choices.append(tuple(choices))
        if not self.replies and timeout_s is not None:
            return Reply(TIMED_OUT)  # nobody answers: the time limit runs out
        if not self.replies:
            raise AssertionError(f"unexpected prompt: {prompt}")
        return self.replies.pop(0)

    def text(self) -> str:
        return "\n".join(m for _, m in self.logs)

    def warnings(self) -> list[str]:
        return [m for lvl, m in self.logs if lvl in ("warning", "error")]
