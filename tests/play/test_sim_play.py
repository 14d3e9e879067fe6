"""The play engine against the simulator's own touch injectors and judge: short cuts of
real charts, host-timed over minitouch (a rotated portrait panel) and device-timed over
bangcheater (the sheet pushed, clock synced, played on the injector's clock)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from services.scriptor.play import PlayOptions, compile_chart
from services.scriptor.play.player import Player
from services.simulator.judge import judge
from services.simulator.touch_server import SHEET_PATH, Commit, TouchServers, TouchSpace
from services.testing.charts import cut, shipped
from shared.config.scriptor import Performance


class SimInjectors:
    """The simulator's TouchServers on an event loop of their own."""

    def __init__(self, space: TouchSpace) -> None:
        self.commits: list[Commit] = []
        self.files: dict[str, bytes] = {}
        self.loop = asyncio.new_event_loop()
        self.servers = TouchServers(
            sink=self.commits.append, clock=time.monotonic, space=space, read_file=self.files.get
        )
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.servers.start(), self.loop).result(10)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.servers.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def sim() -> Iterator[SimInjectors]:
    s = SimInjectors(TouchSpace(32767, 32767, 90))
    yield s
    s.close()


@pytest.mark.real_clock
def test_host_timed_minitouch_is_all_perfect(sim: SimInjectors) -> None:
    c = cut(shipped("689_4"), 9.0)  # taps, flicks, directionals, long notes, slides
    plan = compile_chart(c)
    with Player(f"minitouch://127.0.0.1:{sim.servers.minitouch_port}", rotation=90) as player:
        t0 = time.monotonic() + 0.5 - plan.frames[0].t_us / 1e6  # the sender is connected
        stats = player.play(plan, t0)
    time.sleep(0.2)  # the injector's last commits
    assert stats.ok, stats
    assert sim.servers.violations == []
    result = judge(c, t0, sim.commits)
    counts = result.counts()
    assert len(result.results) == c.note_count and counts["miss"] == 0, counts
    # On a shared machine a stall can cost a Perfect, never the combo.
    assert result.full_combo and counts["perfect"] >= 0.9 * c.note_count, counts


@pytest.mark.real_clock
def test_device_timed_bangcheater_plays_the_pushed_sheet(sim: SimInjectors) -> None:
    c = cut(shipped("316_3"), 8.0)
    plan = compile_chart(c, PlayOptions(performance=Performance.AllPerfect, correction_time=0))
    t0 = time.monotonic() + 1.0 - plan.frames[0].t_us / 1e6
    reply = Player(f"bangcheater://127.0.0.1:{sim.servers.bangcheater_port}").play_on_device(
        plan, t0, lambda text: sim.files.__setitem__(SHEET_PATH, text.encode())
    )
    assert reply == "s done"
    assert sim.servers.violations == []
    result = judge(c, t0, [k for k in sim.commits if k.events])
    assert result.full_combo and len(result.results) == c.note_count, result.counts()
