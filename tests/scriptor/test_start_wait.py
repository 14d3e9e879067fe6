"""Waiting for the song's start (``start_wait.wait_for_start``) with a scripted sync and a
fake clock: slow frames are not timed, the first estimate ends the wait, a stop ends it,
and no start within the sync's time is said with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from services.scriptor.play.startsync import StartEstimate, StartSyncError
from services.scriptor.start_wait import SYNC_MAX_ROUND_TRIP_S, wait_for_start
from shared.device import Frame
from shared.task_context import TaskStopped

FRAME: Frame = np.zeros((4, 4, 3), np.uint8)


@dataclass
class Clock:
    t: float = 100.0

    def now(self) -> float:
        return self.t


@dataclass
class ScriptedSync:
    """Answers after ``after`` timed frames; records the times it was fed."""

    after: int | None
    wait_s: float = 1.0
    fed: list[float] = field(default_factory=list)

    def feed(self, frame: Frame, captured_at: float) -> StartEstimate | None:
        self.fed.append(captured_at)
        if self.after is not None and len(self.fed) >= self.after:
            return StartEstimate(captured_at + 2.0, len(self.fed), 60.0, "notes", 1.0)
        return None


def test_the_first_estimate_ends_the_wait_and_slow_frames_are_not_timed() -> None:
    clock = Clock()
    trips = iter([0.01, SYNC_MAX_ROUND_TRIP_S + 0.05, 0.02, 0.02])

    def grab() -> tuple[Frame, float]:
        clock.t += next(trips)
        return FRAME, clock.t

    sync = ScriptedSync(after=2)
    est = wait_for_start(sync, grab, 3.0, now=clock.now)
    # The slow frame was skipped; each fed time is the middle of its round trip.
    assert sync.fed == pytest.approx([100.005, 100.17])
    assert est.chart0 == pytest.approx(102.17) and est.samples == 2


def test_no_start_within_the_syncs_time_is_an_error_that_counts_the_slow_frames() -> None:
    clock = Clock()

    def grab() -> tuple[Frame, float]:
        clock.t += 0.3  # every frame too slow to time
        return FRAME, clock.t

    sync = ScriptedSync(after=None, wait_s=1.0)
    with pytest.raises(
        StartSyncError, match=r"no start of play seen in 1\.0 s \(first note at 3\.0 s\); 4 frames"
    ):
        wait_for_start(sync, grab, 3.0, now=clock.now)
    assert sync.fed == []


def test_a_stop_ends_the_wait_before_the_next_frame() -> None:
    clock = Clock()
    grabbed: list[float] = []
    checks = iter([None, TaskStopped("stop")])

    def checkpoint() -> None:
        stop = next(checks)
        if stop is not None:
            raise stop

    def grab() -> tuple[Frame, float]:
        grabbed.append(clock.t)
        clock.t += 0.01
        return FRAME, clock.t

    with pytest.raises(TaskStopped):
        wait_for_start(ScriptedSync(after=None), grab, 3.0, checkpoint=checkpoint, now=clock.now)
    assert len(grabbed) == 1
