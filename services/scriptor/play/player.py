"""``Player``: the library API the scriptor and ``autobang play`` call.

``with Player(touch_url) as p: p.play(plan, t0_monotonic, stop_event) -> PlayStats`` sends
the plan from a process of its own (multiprocessing spawn), so frame processing in the
caller cannot delay a touch by the GIL's switch interval; time.monotonic is the system's
CLOCK_MONOTONIC, the same in both processes. ``play_on_device`` hands the whole schedule to
bangcheater instead (device-side timing)."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as MpEvent
from typing import Protocol

from services.scriptor.play.plan import TouchPlan
from services.scriptor.play.render import render_sheet
from services.scriptor.play.schedule import Lateness, lateness_of, send_plan
from shared.device.touch import BangcheaterChannel, TouchError, TouchSpace, open_touch, touch_display

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


def _sender(url: str, rotation: int | None, stop: MpEvent, conn: Connection) -> None:
    """The sender process: connect, say ready, then play each plan it is sent."""
    try:
        channel = open_touch(url, rotation)
    except TouchError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", None))
    parent = os.getppid()

    def stopped() -> bool:  # asked for, or the caller died (a killed worker): lift and go
        return stop.is_set() or os.getppid() != parent

    try:
        while True:
            try:
                msg = conn.recv()
            except EOFError:  # the caller is gone
                break
            if msg[0] != "play":
                break
            _, plan, t0 = msg
            late: list[float] = []
            error: str | None = None
            gc.disable()  # no collector pauses during the song; the plan is allocated already
            try:
                late = send_plan(channel, plan, t0, stopped)
            except (TouchError, OSError) as exc:
                error = str(exc)
            finally:
                gc.enable()
            try:
                conn.send(("done", late, error))
            except OSError:  # the caller is gone
                break
            if error:
                break
    finally:
        channel.close()


class Player:
    """A sender process with its own connection to the injector. ``open()`` (or ``with``)
    starts it and connects ahead of the song: a spawned interpreter takes a second or more
    to start on a loaded machine, which must not come out of the first notes."""

    def __init__(self, touch_url: str, rotation: int | None = None) -> None:
        self.touch_url = touch_url
        self.rotation = rotation
        self._ctx = mp.get_context("spawn")
        self._stop: MpEvent = self._ctx.Event()
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def open(self, timeout_s: float = 60.0) -> None:
        """Start the sender process and wait until it is connected; ``TouchError`` when
        the injector cannot be reached."""
        if self._proc is not None:
            return
        here, there = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_sender,
            args=(self.touch_url, self.rotation, self._stop, there),
            name="autobang-play-sender",
            daemon=True,
        )
        proc.start()
        there.close()
        try:
            kind, detail = here.recv() if here.poll(timeout_s) else ("error", None)
        except EOFError:
            kind, detail = "error", None
        if kind != "ready":
            proc.join(5)
            if proc.is_alive():
                proc.kill()
            raise TouchError(
                detail
                or f"the sender process for {self.touch_url} did not start ({proc.exitcode}); a script "
                "that plays must guard its top level with if __name__ == '__main__'"
            )
        self._proc, self._conn = proc, here

    def close(self) -> None:
        if self._conn is not None and self._proc is not None:
            with contextlib.suppress(OSError):
                self._conn.send(("close",))
            self._proc.join(5)
            if self._proc.is_alive():
                self._proc.kill()
            self._conn.close()
        self._proc = self._conn = None

    def __enter__(self) -> Player:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def play(self, plan: TouchPlan, t0_monotonic: float, stop_event: StopFlag | None = None) -> PlayStats:
        """Play ``plan`` with chart time 0 at ``t0_monotonic`` (time.monotonic()); blocks
        until the song is over, ``stop_event`` is set, or the injector fails (then the
        stats carry the error). Opens the sender first when it is not open."""
        opened_here = self._proc is None
        try:
            self.open()
        except TouchError as exc:
            return PlayStats(len(plan.frames), 0, plan.notes, error=str(exc))
        assert self._conn is not None and self._proc is not None
        conn, proc = self._conn, self._proc
        # A stop asked before the play is honoured before the sender sees the plan: a sender
        # that started late (a loaded machine) would otherwise send the overdue frames at once.
        stopped = stop_event is not None and stop_event.is_set()
        if stopped:
            self._stop.set()
        else:
            self._stop.clear()
        late: list[float] = []
        error: str | None = None
        try:
            conn.send(("play", plan, t0_monotonic))
            while proc.is_alive() and not conn.poll(JOIN_POLL_S):
                if stop_event is not None and stop_event.is_set() and not stopped:
                    stopped = True
                    self._stop.set()
            try:
                _, late, error = conn.recv()
            except EOFError:
                error = f"the sender process ended ({proc.exitcode}) without a report"
        except BaseException:
            self._stop.set()  # Ctrl-C or the caller's error: the sender lifts every contact
            self.close()
            raise
        if error is not None or opened_here:
            self.close()
        stats = PlayStats(len(plan.frames), len(late), plan.notes, tuple(late), stopped, error)
        log.info("play %s", stats)
        return stats

    def play_on_device(
        self,
        plan: TouchPlan,
        t0_monotonic: float,
        push_sheet: Callable[[str], None],
        margin_s: float = 30.0,
    ) -> str:
        """Device-side timing: ``push_sheet`` puts ``commands.sheet`` on the device (e.g.
        ``adb push`` to /data/local/tmp/commands.sheet), bangcheater reloads it, syncs its
        clock with the plan's correction and dilation, and plays it with chart time 0 at
        ``t0_monotonic``; returns the injector's closing reply."""
        if not plan.frames:
            return "nothing to play"
        w, h = touch_display(self.touch_url)
        push_sheet(render_sheet(plan, TouchSpace(w, h)))
        # bangcheater times the sheet from its first command (b): that command's host time.
        first_us = plan.frames[0].t_us * plan.dilation_time // 1_000_000
        predict_us = round(t0_monotonic * 1e6) + first_us
        channel = open_touch(self.touch_url, self.rotation)
        if not isinstance(channel, BangcheaterChannel):
            channel.close()
            raise TouchError(f"{self.touch_url}: device-side timing needs bangcheater://")
        try:
            channel.reload()
            channel.sync(plan.correction_time, plan.dilation_time)
            wait_s = predict_us / 1e6 - time.monotonic() + plan.duration_us / 1e6 + margin_s
            return channel.play(predict_us, timeout_s=max(wait_s, margin_s))
        finally:
            channel.close()
