"""Test-only callables: ``touch`` records that it was called (a hand-written job must never
get a worker to call it); ``quick`` is a task body that ends at once; ``ticker`` logs
numbered events (the reliability tests and scripts/bench_faults.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from shared.task_context import TaskContext


def touch(*args: Any, **kwargs: Any) -> None:
    Path(os.environ["CANARY_FILE"]).write_text(f"called with {len(args)} arguments")


def quick(ctx: TaskContext[Any]) -> None:
    ctx.log("quick ran")


def ticker(ctx: TaskContext[Any]) -> None:
    """Logs ``tick <n>`` at ``TICK_RATE`` events/s (default 200) until stopped, or until
    ``TICK_TOTAL`` ticks; checkpoints every ``TICK_CHECK_S`` seconds (default: between
    ticks). Lost, repeated or reordered events show as gaps in ``n``."""
    rate = float(os.environ.get("TICK_RATE", "200"))
    total = int(os.environ.get("TICK_TOTAL", "0")) or None
    check_s = float(os.environ.get("TICK_CHECK_S", "0"))
    ctx.state(pid=os.getpid())
    start = last_check = time.monotonic()
    n = 0
    while total is None or n < total:
        if time.monotonic() - last_check >= check_s:
            ctx.checkpoint()
            last_check = time.monotonic()
        due = int((time.monotonic() - start) * rate)
        while n < due and (total is None or n < total):
            ctx.log(f"tick {n}")
            n += 1
        time.sleep(0.005)
