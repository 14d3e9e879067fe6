"""Waiting on the playing screen for the song's start: frames go to start sync
(``play.startsync``) until it names when chart time 0 is judged, or its time is up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from services.scriptor.play.startsync import StartEstimate, StartSyncError
from shared.device import Frame

# A frame's time is known only within its request's round trip: a slower one (a slow
# device) could put chart time 0 off by more than the Perfect window, so it is not used.
SYNC_MAX_ROUND_TRIP_S = 0.100


class Sync(Protocol):
    """What is used of ``play.startsync.StartSync``."""

    @property
    def wait_s(self) -> float: ...

    def feed(self, frame: Frame, captured_at: float) -> StartEstimate | None: ...


def wait_for_start(
    sync: Sync,
    grab: Callable[[], tuple[Frame, float]],
    first_note_s: float,
    *,
    checkpoint: Callable[[], None] = lambda: None,
    now: Callable[[], float] = time.monotonic,
) -> StartEstimate:
    """Feed ``sync`` timed frames (``grab``: a frame and the latest time it can show) for at
    most ``sync.wait_s``; frames slower than ``SYNC_MAX_ROUND_TRIP_S`` are not timed.
    ``checkpoint`` runs before each frame (a stop ends the wait). Raises
    ``StartSyncError`` when no start was seen (``first_note_s``: for the message)."""
    deadline = now() + sync.wait_s
    slow = 0
    while now() < deadline:
        checkpoint()
        # The screen is read somewhere between the request and the answer's first byte
        # (then encoded and sent): the middle is the best guess of the frame's time.
        before = now()
        frame, after = grab()
        if after - before > SYNC_MAX_ROUND_TRIP_S:
            slow += 1
            continue
        est = sync.feed(frame, (before + after) / 2)
        if est is not None:
            return est
    why = f"; {slow} frames too slow to time (over {SYNC_MAX_ROUND_TRIP_S * 1e3:.0f} ms)" if slow else ""
    seen = f"no start of play seen in {sync.wait_s:.1f} s (first note at {first_note_s:.1f} s)"
    raise StartSyncError(seen + why)
