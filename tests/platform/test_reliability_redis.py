"""A Redis restart or stall under a running task: a real redis-server (AOF on) restarted on
the same port or SIGSTOPped, a real worker whose test-only body logs numbered events at
500/s. The task keeps running, and its events arrive each once and in order; past the
buffer bound the stream says how many were dropped."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.testing.faults import RedisServer, dropped_notes, end_worker, start_worker, ticks, wait_until
from shared import keys
from shared.runtime.connection import TextRedis, connect
from shared.runtime.control import start_task, stop_module
from shared.runtime.state import read_state

pytestmark = pytest.mark.stack

TICKER = "tests.platform.canary:ticker"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    s = RedisServer(tmp_path / "redis")
    s.start()
    yield s
    if s.proc is not None and s.proc.poll() is None:
        s.stop()


def worker(server: RedisServer, tmp_path: Path, **env: str) -> subprocess.Popen[bytes]:
    return start_worker(server.url, tmp_path / "data", {"STUB_ENTRY": TICKER, **env}, tmp_path / "worker.log")


def messages(r: TextRedis) -> list[str]:
    out = []
    for _, fields in r.xrange(keys.events_stream("fetch")):
        if fields["type"] == "log":
            out.append(str(json.loads(fields["data"]).get("message", "")))
    return out


def status(server: RedisServer) -> str:
    return read_state(connect(server.url), "fetch").get("status", "")


def test_a_3_s_restart_loses_no_event_and_the_task_finishes(server: RedisServer, tmp_path: Path) -> None:
    proc = worker(server, tmp_path, TICK_RATE="500", TICK_TOTAL="3000", TICK_CHECK_S="1000")
    try:
        r = connect(server.url)
        job = start_task(r, "fetch", "fetch")
        wait_until(lambda: len(ticks(connect(server.url))) >= 300, what="first ticks")
        server.restart(down_s=3.0)
        wait_until(lambda: status(server) not in ("queued", "running"), what="task end")
        r = connect(server.url)
        state = read_state(r, "fetch")
        assert state["status"] == "finished" and state["job_id"] == job, state
        assert ticks(r) == list(range(3000))
        assert dropped_notes(r) == []
    finally:
        end_worker(proc)


def test_a_10_s_stall_keeps_the_task_running_and_stoppable(server: RedisServer, tmp_path: Path) -> None:
    proc = worker(server, tmp_path, TICK_RATE="200")
    try:
        r = connect(server.url)
        job = start_task(r, "fetch", "fetch")
        wait_until(lambda: len(ticks(connect(server.url))) >= 100, what="first ticks")
        server.stall(10.0)
        after = len(ticks(r))
        wait_until(lambda: len(ticks(connect(server.url))) >= after + 200, what="ticks after the stall")
        state = read_state(r, "fetch")
        assert state["status"] == "running" and state["job_id"] == job, state
        assert stop_module(r, "fetch")["stopping"]
        wait_until(lambda: status(server) not in ("running", "stopping"), what="stopped")
        assert read_state(r, "fetch")["status"] == "stopped"
        seen = ticks(r)
        assert seen == list(range(len(seen)))  # none lost, none twice, in order
    finally:
        end_worker(proc)


def test_past_the_buffer_bound_the_stream_says_how_many_were_dropped(
    server: RedisServer, tmp_path: Path
) -> None:
    proc = worker(
        server,
        tmp_path,
        TICK_RATE="500",
        TICK_TOTAL="3000",
        TICK_CHECK_S="1000",
        AUTOBANG_EVENT_BUFFER_MAX="300",
    )
    try:
        r = connect(server.url)
        start_task(r, "fetch", "fetch")
        wait_until(lambda: len(ticks(connect(server.url))) >= 300, what="first ticks")
        server.restart(down_s=3.0)
        wait_until(lambda: status(server) not in ("queued", "running"), what="task end")
        r = connect(server.url)
        assert read_state(r, "fetch")["status"] == "finished"
        seen, notes = ticks(r), dropped_notes(r)
        assert notes, "the stream must say that events were dropped"
        assert seen == sorted(set(seen))  # what arrived is in order, each once
        # Each note counts the events missing just before it: ticks, and at the end also
        # the task's own "fetch finished" line when that was dropped too.
        finished_kept = any(m == "fetch finished" for m in messages(r))
        bounds = [*seen, 3000]
        for i, (index, count) in enumerate(notes):
            gap = bounds[index] - (seen[index - 1] if index else -1) - 1
            last = i == len(notes) - 1 and index == len(seen)
            assert count == gap + (1 if last and not finished_kept else 0), (index, count, gap)
        assert len(seen) + sum(n for _, n in notes) == 3000 + (0 if finished_kept else 1)
    finally:
        end_worker(proc)


def test_killing_the_worker_frees_the_module_and_ends_its_horse(server: RedisServer, tmp_path: Path) -> None:
    proc = worker(server, tmp_path, TICK_RATE="50")
    r = connect(server.url)
    job = start_task(r, "fetch", "fetch")
    wait_until(lambda: "pid" in (read_state(connect(server.url), "fetch").get("fields") or ""), what="pid")
    horse = int(json.loads(read_state(r, "fetch")["fields"])["pid"])
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    wait_until(lambda: status(server) == "failed", what="failed")
    state = read_state(r, "fetch")
    assert state["job_id"] == job and "died" in state["error"], state
    assert r.get("autobang:lease:fetch") is None
    wait_until(lambda: not Path(f"/proc/{horse}").exists() or _zombie(horse), what="horse ended")
    again = worker(server, tmp_path, TICK_RATE="50")
    try:
        job2 = start_task(r, "fetch", "fetch")
        wait_until(lambda: status(server) == "running", what="running again")
        assert read_state(r, "fetch")["job_id"] == job2
        stop_module(r, "fetch")
        wait_until(lambda: status(server) == "stopped", what="stopped")
    finally:
        end_worker(again)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
