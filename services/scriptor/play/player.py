"""``Player``: the library API the scriptor and ``autobang play`` call.

``Player(touch_url).play(plan, t0_monotonic, stop_event) -> PlayStats`` sends the plan
from a process of its own (multiprocessing spawn), so frame processing in the caller
cannot delay a touch by the GIL's switch interval; time.monotonic is the system's
CLOCK_MONOTONIC, the same in both processes. ``play_on_device`` hands the whole schedule to
bangcheater instead (device-side timing)."""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent
from typing import Protocol

from services.scriptor.play.plan import TouchPlan
from services.scriptor.play.render import render_sheet
from services.scriptor.play.schedule import Lateness, lateness_of, send_plan
from shared.device.touch import BangcheaterChannel, TouchError, open_touch

log = logging.getLogger(__name__)
JOIN_POLL_S = 0.05


class StopFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class PlayStats:
    frames_total: int
    frames_sent: int
    notes: int
    late_s: tuple[float, ...] = ()  # per frame sent, after its commit left
    stopped: bool = False
    error: str | None = None
    lateness: Lateness = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lateness", lateness_of(self.late_s))

    @property
    def ok(self) -> bool:
        return self.error is None and not self.stopped and self.frames_sent == self.frames_total

    def __str__(self) -> str:
        state = "error: " + self.error if self.error else ("stopped" if self.stopped else "done")
        return f"{state}: {self.frames_sent}/{self.frames_total} frames ({self.notes} notes), {self.lateness}"


def _sender(
    url: str, rotation: int | None, plan: TouchPlan, t0: float, stop: MpEvent, out: Connection
) -> None:
    """The sender process: connect, wait for the deadlines, report back."""
    late: list[float] = []
    error: str | None = None
    try:
        channel = open_touch(url, rotation)
    except TouchError as exc:
        out.send((late, str(exc)))
        return
    gc.disable()  # no collector pauses during the song; the plan is allocated already
    try:
        late = send_plan(channel, plan, t0, stop.is_set)
    except (TouchError, OSError) as exc:
        error = str(exc)
    finally:
        channel.close()
        gc.enable()
    out.send((late, error))


class Player:
    def __init__(self, touch_url: str, rotation: int | None = None) -> None:
        self.touch_url = touch_url
        self.rotation = rotation

    def play(self, plan: TouchPlan, t0_monotonic: float, stop_event: StopFlag | None = None) -> PlayStats:
        """Play ``plan`` with chart time 0 at ``t0_monotonic`` (time.monotonic()); blocks
        until the song is over, ``stop_event`` is set, or the injector fails."""
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_sender,
            args=(self.touch_url, self.rotation, plan, t0_monotonic, stop, send),
            name="autobang-play-sender",
            daemon=True,
        )
        proc.start()
        send.close()
        stopped = False
        try:
            while proc.is_alive() and not receive.poll(JOIN_POLL_S):
                if stop_event is not None and stop_event.is_set() and not stopped:
                    stopped = True
                    stop.set()
        except BaseException:
            stop.set()  # Ctrl-C or the caller's error: the sender lifts every contact
            proc.join(5)
            raise
        late: list[float] = []
        error: str | None = None
        if receive.poll(1.0):
            late, error = receive.recv()
        else:
            error = f"the sender process ended ({proc.exitcode}) without a report"
        proc.join(5)
        stats = PlayStats(len(plan.frames), len(late), plan.notes, tuple(late), stopped, error)
        log.info("play %s", stats)
        return stats

    def play_on_device(
        self,
        plan: TouchPlan,
        chart0_epoch_us: int,
        push_sheet: Callable[[str], None],
        margin_s: float = 30.0,
    ) -> str:
        """Device-side timing: ``push_sheet`` puts ``commands.sheet`` on the device (e.g.
        ``adb push``), bangcheater reloads it, syncs its clock with the correction and
        dilation, and plays it with chart time 0 at host epoch ``chart0_epoch_us``."""
        push_sheet(render_sheet(plan))
        channel = open_touch(self.touch_url, self.rotation)
        if not isinstance(channel, BangcheaterChannel):
            channel.close()
            raise TouchError(f"{self.touch_url}: device-side timing needs bangcheater://")
        try:
            channel.reload()
            channel.sync(plan.correction_time, plan.dilation_time)
            wait_s = chart0_epoch_us / 1e6 - time.time() + plan.duration_us / 1e6 + margin_s
            return channel.play(chart0_epoch_us, timeout_s=max(wait_s, margin_s))
        finally:
            channel.close()
