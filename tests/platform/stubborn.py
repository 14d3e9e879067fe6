"""A worker for tests whose ``fetch`` task ignores stop requests (never checkpoints), or
runs the entry point named by ``STUB_ENTRY``. Run as ``python -m tests.platform.stubborn``;
the registry is patched in this process only."""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any

import shared.modules as registry
from shared.runtime.worker import run_worker
from shared.task_context import TaskContext


def stubborn(ctx: TaskContext[Any]) -> None:
    ctx.state(pid=os.getpid())
    while True:  # deliberately no checkpoint(): only the forced stop ends this
        time.sleep(0.05)


def main() -> None:
    entry = os.environ.get("STUB_ENTRY", "tests.platform.stubborn:stubborn")
    registry.MODULES = tuple(
        dataclasses.replace(m, tasks=(dataclasses.replace(m.tasks[0], entry=entry),))
        if m.name == "fetch"
        else m
        for m in registry.MODULES
    )
    run_worker("fetch")


if __name__ == "__main__":
    main()
