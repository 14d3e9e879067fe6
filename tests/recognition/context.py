"""An in-process TaskContext for calling the song tasks directly: it records reports and
answers prompts from a script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shared.task_context import ANSWERS, LogLevel, Reply, TaskStopped


class ScriptedContext:
    module = "song_recognition"
    task = "test"
    job_id = "test-job"

    def __init__(
        self,
        data_dir: Path,
        config: BaseModel,
        replies: Sequence[Reply] = (),
        stop_after_checkpoints: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._config = config
        self.replies = list(replies)
        self.prompts: list[str] = []
        self.logs: list[tuple[str, str]] = []
        self.progress_calls: list[tuple[float, float | None, dict[str, Any]]] = []
        self.images: list[tuple[str, int]] = []
        self.checkpoints = 0
        self.stop_after = stop_after_checkpoints

    @property
    def config(self) -> BaseModel:
        return self._config

    def log(self, message: str, level: LogLevel = "info") -> None:
        self.logs.append((level, message))

    def progress(
        self, done: float, total: float | None = None, *, message: str = "", **metrics: float | str
    ) -> None:
        self.progress_calls.append((done, total, dict(metrics)))

    def state(self, **fields: Any) -> None:
        pass

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        assert png.startswith(b"\x89PNG")
        self.images.append((kind, len(png)))

    def should_stop(self) -> bool:
        return self.stop_after is not None and self.checkpoints >= self.stop_after

    def checkpoint(self) -> None:
        if self.should_stop():
            raise TaskStopped()
        self.checkpoints += 1

    def sleep(self, seconds: float) -> None:
        self.checkpoint()

    def ask(self, prompt: str, options: Sequence[str] = ANSWERS, *, text: str | None = None) -> Reply:
        self.prompts.append(prompt)
        if not self.replies:
            raise AssertionError(f"unexpected prompt: {prompt}")
        return self.replies.pop(0)

    def text(self) -> str:
        return "\n".join(m for _, m in self.logs)
