"""How long the scriptor's executor waits, and the clock it waits on: passed in (defaults
are the product's), so tests run the device retries and the song watch in seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.settings import SCRIPTOR_DEVICE_RETRIES_S


@dataclass(frozen=True)
class Timings:
    cycle_s: float = 0.8  # the first version's cadence: one frame, one decision
    # A capture or input that fails is retried after each of these, then the run gives up
    # (~47 s: an emulator restart fits, a device that is gone does not hang the run);
    # ``AUTOBANG_SCRIPTOR_DEVICE_RETRIES_S`` for the task.
    device_retries_s: tuple[float, ...] = SCRIPTOR_DEVICE_RETRIES_S
    foreground_every_s: float = 30.0  # the app in front is asked on unknown screens and this often
    game_start_wait_s: float = 5.0  # after starting the game, before starting it again
    fresh_after_tap_s: float = 2.0  # frames this soon after a tap are screenshots (``Tools.fresh_frame``)
    restart_pause_s: float = 1.0  # between stopping the game and starting it
    play_poll_s: float = 0.2  # during a song, how often the sender is checked
    play_watch_s: float = 1.0  # during a song, how often the screen is checked for an early end

    @property
    def give_up_after_s(self) -> float:
        """How long a device may stay away before the run gives up."""
        return sum(self.device_retries_s)


@dataclass(frozen=True)
class Clock:
    """``now`` (monotonic seconds) and ``sleep``; the task's sleep wakes for a stop."""

    now: Callable[[], float]
    sleep: Callable[[float], None]


def task_clock(sleep: Callable[[float], None]) -> Clock:
    """The real clock with the task's stop-aware sleep (``TaskContext.sleep``)."""
    return Clock(time.monotonic, sleep)
