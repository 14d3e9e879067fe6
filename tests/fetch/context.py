"""An in-process TaskContext for calling task bodies directly in tests: it records what
the task reports and can ask it to stop after a number of checkpoints."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shared.task_context import ANSWERS, LogLevel, Reply, TaskStopped


class RecordingContext:
    module = "fetch"
    task = "fetch"
    job_id = "test-job"

    def __init__(
        self, data_dir: Path, config: BaseModel, *, stop_after_checkpoints: int | None = None
    ) -> None:
        self.data_dir = data_dir
        self._config = config
        self.stop_after = stop_after_checkpoints
        self.checkpoints = 0
        self.logs: list[tuple[str, str]] = []
        self.progresses: list[tuple[float, float | None, str]] = []
        self.states: list[dict[str, Any]] = []
        self.slept: list[float] = []

    @property
    def config(self) -> BaseModel:
        return self._config

    def log(self, message: str, level: LogLevel = "info") -> None:
        self.logs.append((level, message))

    def progress(
        self, done: float, total: float | None = None, *, message: str = "", **metrics: float | str
    ) -> None:
        self.progresses.append((done, total, message))

    def state(self, **fields: Any) -> None:
        self.states.append(fields)

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        pass

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

    def ask(self, prompt: str, options: Sequence[str] = ANSWERS, *, text: str | None = None) -> Reply:
        raise AssertionError("the fetch task never asks the user")

    def text(self) -> str:
        return "\n".join(m for _, m in self.logs)

    def warnings(self) -> list[str]:
        return [m for lvl, m in self.logs if lvl in ("warning", "error")]
