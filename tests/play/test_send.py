"""Sending plans: the deadline logic on a fake clock, then the sender process against the
fake injector on loopback (short cuts of real charts)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from services.scriptor.play import compile_chart
from services.scriptor.play.player import Player
from services.scriptor.play.schedule import SPIN_S, lateness_of, percentile, send_plan, wait_until
from services.testing.charts import chart, cut, shipped
from services.testing.fake_touch import FakeTouchServer
from shared.device.touch import open_touch

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    """Time moves only when slept on (plus ``tick`` per reading): sleeps overshoot by
    ``overshoot`` s, like a loaded machine."""

    def __init__(self, now: float = 100.0, overshoot: float = 0.0, tick: float = 1e-5) -> None:
        self.now = now
        self.overshoot = overshoot
        self.tick = tick
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        self.now += self.tick
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s + self.overshoot


def test_wait_sleeps_to_the_spin_margin_then_spins() -> None:
    clock = FakeClock()
    assert wait_until(100.3, clock=clock, sleep=clock.sleep)
    assert clock.now >= 100.3
    assert all(s <= 0.05 for s in clock.sleeps)  # a stop is seen within 50 ms
    assert sum(clock.sleeps) <= 0.3 - SPIN_S + 1e-9  # the last 2 ms are spun, not slept
    stopped = FakeClock()
    assert not wait_until(101.0, stop=lambda: stopped.now > 100.2, clock=stopped, sleep=stopped.sleep)
    assert stopped.now < 100.3


def test_deadlines_are_absolute_so_lateness_does_not_accumulate() -> None:
    taps = [{"type": "Single", "beat": b / 4, "lane": 3} for b in range(200)]  # 200 taps, 8 per s
    plan = compile_chart(chart(*taps))
    clock = FakeClock(overshoot=0.004)  # every sleep 4 ms too long
    with FakeTouchServer() as server:
        ch = open_touch(server.url)
        late = send_plan(ch, plan, t0=clock.now + 1.0, clock=clock, sleep=clock.sleep)
        ch.close()
        s = server.wait_closed()
    assert len(late) == len(plan.frames) == 400 and s.violations == []
    assert max(late) < 0.005 and min(late) >= 0  # bounded by one overshoot, never early
    assert abs(late[-1] - late[10]) < 0.002  # no drift from frame to frame


def test_late_frames_go_at_once_and_a_stop_lifts_everything() -> None:
    plan = compile_chart(
        chart({"type": "Long", "connections": [{"beat": 0, "lane": 1}, {"beat": 8, "lane": 1}]})
    )
    with FakeTouchServer() as server:
        ch = open_touch(server.url)
        clock = FakeClock()
        # t0 long past: the first frame (the hold's down) goes at once; then stop.
        late = send_plan(ch, plan, t0=clock.now - 10.0, stop=lambda: True, clock=clock, sleep=clock.sleep)
        ch.close()
        s = server.wait_closed()
    assert len(late) == 2 and late[0] > 9.9  # both frames were due: sent at once, not skipped
    clock2 = FakeClock()
    with FakeTouchServer() as server:
        ch = open_touch(server.url)
        late = send_plan(
            ch, plan, t0=clock2.now, stop=lambda: clock2.now > 101.0, clock=clock2, sleep=clock2.sleep
        )
        ch.close()
        s = server.wait_closed()
    assert len(late) == 1  # the down went, the stop came before the up's deadline (4 s)
    assert s.violations == [] and s.left_down == []
    assert s.commits[-1].ops == []  # the lift-all on stop


def test_percentiles() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(i) for i in range(100)], 95) == 94.0
    assert str(lateness_of([0.001, 0.002, 0.003])).startswith("lateness p50 2.000 ms")


@pytest.mark.real_clock
def test_player_sends_on_time_from_its_own_process() -> None:
    plan = compile_chart(cut(shipped("10001_4"), 8.0))  # taps, flicks, directionals, slides
    with FakeTouchServer(max_x=32767, max_y=32767) as server:
        with Player(server.url) as player:
            t0 = time.monotonic() + 0.5 - plan.frames[0].t_us / 1e6  # first touch in 0.5 s
            stats = player.play(plan, t0)
            again = player.play(plan, time.monotonic() + 0.2 - plan.frames[0].t_us / 1e6)
        s = server.wait_closed()
    assert stats.ok and stats.frames_sent == len(plan.frames), stats
    assert again.ok  # one sender process, one connection, two songs
    assert len(server.sessions) == 1
    assert s.violations == [] and s.left_down == []
    touches = [c for c in s.commits if c.ops][: len(plan.frames)]
    assert len(touches) == len(plan.frames)
    for commit, at in zip(touches, plan.times_s(), strict=True):
        assert commit.at_ns / 1e9 >= t0 + at  # never early: the sender waits for each deadline
    assert [len(c.ops) for c in touches] == [len(f.ops) for f in plan.frames]


def test_player_stop_and_lost_injector() -> None:
    plan = compile_chart(cut(shipped("570_0"), 9.0))
    stop = threading.Event()
    stop.set()
    with FakeTouchServer() as server:
        stats = Player(server.url).play(plan, time.monotonic() + 5.0, stop)
        s = server.wait_closed()
    assert stats.stopped and stats.frames_sent == 0 and not stats.ok and s.violations == []
    with FakeTouchServer(drop_after_commits=3) as server:
        stats = Player(server.url).play(plan, time.monotonic() - plan.frames[0].t_us / 1e6)
    assert stats.error is not None and "lost the touch injector" in stats.error
    assert stats.frames_sent < len(plan.frames)
    stats = Player("minitouch://127.0.0.1:1").play(plan, time.monotonic())
    assert stats.error is not None and "no touch injector" in stats.error


def test_a_killed_caller_leaves_no_contact_down() -> None:
    with FakeTouchServer() as server:
        caller = subprocess.Popen(
            [sys.executable, "-m", "tests.play.orphan", server.url],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert caller.stdout is not None and caller.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while not any(c.ops for s in server.sessions for c in s.commits) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the hold is down
        caller.kill()  # SIGKILL: no finally, no atexit in the caller
        caller.wait(10)
        s = server.wait_closed(timeout_s=30)
    assert s.commits[0].ops == [("d", 0, 491, 589)]  # the header's 1279 x 719 space
    assert s.left_down == [] and s.violations == []  # the sender saw its parent go and lifted
