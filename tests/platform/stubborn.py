"""A worker for tests whose ``fetch`` task ignores stop requests (never checkpoints), or
runs the entry point named by ``STUB_ENTRY``. Run as ``python -m tests.platform.stubborn``;
the registry is patched in this process only."""

from __future__ import annotations

import os
import time
from typing import Any

from shared.runtime.worker import run_worker
from shared.task_context import TaskContext
from tests.worker import patch_entries


def stubborn(ctx: TaskContext[Any]) -> None:
    ctx.state(pid=os.getpid())
    while True:  # deliberately no checkpoint(): only the forced stop ends this
        time.sleep(0.05)


def main() -> None:
    entry = os.environ.get("STUB_ENTRY", "tests.platform.stubborn:stubborn")
    patch_entries({("fetch", "fetch"): entry})
    run_worker("fetch")


if __name__ == "__main__":
    main()
