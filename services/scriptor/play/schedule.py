"""Sending a plan on absolute monotonic deadlines (docs/scriptor-and-play.md section 5).

Every frame's deadline is ``t0 + its time`` on one monotonic clock, never the sum of
sleeps, so errors do not accumulate over a song. The loop sleeps to ``SPIN_S`` before a
deadline, then spins; a frame already late goes at once. Clock and sleep are injectable:
the logic is tested without waiting."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.scriptor.play.plan import TouchPlan
from shared.device.touch import TouchChannel

SPIN_S = 0.002  # sleep until this long before a deadline, then spin
STOP_POLL_S = 0.05  # the longest single sleep, so a stop is seen within it

Clock = Callable[[], float]


def wait_until(
    deadline: float,
    stop: Callable[[], bool] = lambda: False,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Return at ``deadline`` (True) or when ``stop()`` turns true (False)."""
    while True:
        left = deadline - clock()
        if left <= 0:
            return True
        if stop():
            return False
        if left > SPIN_S:
            sleep(min(left - SPIN_S, STOP_POLL_S))


@dataclass(frozen=True)
class Lateness:
    p50_ms: float
    p95_ms: float
    max_ms: float

    def __str__(self) -> str:
        return f"lateness p50 {self.p50_ms:.3f} ms, p95 {self.p95_ms:.3f} ms, max {self.max_ms:.3f} ms"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(math.ceil(q / 100 * len(ordered)) - 1, 0)
    return ordered[min(k, len(ordered) - 1)]


def lateness_of(late_s: Sequence[float]) -> Lateness:
    if not late_s:
        return Lateness(0.0, 0.0, 0.0)
    return Lateness(percentile(late_s, 50) * 1e3, percentile(late_s, 95) * 1e3, max(late_s) * 1e3)


def send_plan(
    channel: TouchChannel,
    plan: TouchPlan,
    t0: float,
    stop: Callable[[], bool] = lambda: False,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[float]:
    """Send every frame at ``t0`` + its time; the lateness (s) of each frame sent, taken
    after its commit left. Every contact is lifted when it ends, however it ends."""
    late: list[float] = []
    try:
        for frame, at in zip(plan.frames, plan.times_s(), strict=True):
            deadline = t0 + at
            if not wait_until(deadline, stop, clock, sleep):
                break
            for op in frame.ops:
                if op.kind == "d":
                    channel.down(op.contact, op.x, op.y)
                elif op.kind == "m":
                    channel.move(op.contact, op.x, op.y)
                else:
                    channel.up(op.contact)
            channel.commit()
            late.append(clock() - deadline)
    finally:
        channel.reset()
    return late
