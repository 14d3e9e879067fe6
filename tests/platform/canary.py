"""Callables for the allow-list tests: ``touch`` records that it was called (a hand-written
job must never get a worker to call it); ``quick`` is a task body that ends at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from shared.task_context import TaskContext


def touch(*args: Any, **kwargs: Any) -> None:
    Path(os.environ["CANARY_FILE"]).write_text(f"called with {len(args)} arguments")


def quick(ctx: TaskContext[Any]) -> None:
    ctx.log("quick ran")
