"""A 20 s Redis stall (SIGSTOP: connections stay open and silent) under a running task, with
a real redis-server, gateway and worker: every gateway answer comes within 3 s (503 while
Redis is silent, /healthz included), and the healthy task is not declared dead (its lease
expired during the stall and is taken back). And a killed work-horse: failed at once, in
words that say so. The worker's task is the test-only ticker (500 numbered logs/s)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.launcher import children_of
from services.testing.faults import RedisServer, end_worker, start_gateway, start_worker, ticks, wait_until
from services.testing.stack import end_process
from shared.runtime.connection import connect
from shared.runtime.control import start_task, stop_module
from shared.runtime.state import read_state

pytestmark = pytest.mark.stack

TICKER = "tests.platform.canary:ticker"
STALL_S = 20.0
ANSWER_S = 3.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    s = RedisServer(tmp_path / "redis")
    s.start()
    yield s
    if s.proc is not None and s.proc.poll() is None:
        s.stop()


def status(server: RedisServer) -> dict[str, str]:
    return read_state(connect(server.url), "fetch")


def test_a_20_s_stall_answers_within_3_s_and_keeps_the_task(server: RedisServer, tmp_path: Path) -> None:
    url, gateway = start_gateway(server.url, tmp_path / "data", tmp_path / "gw.log")
    worker = start_worker(server.url, tmp_path / "data", {"STUB_ENTRY": TICKER}, tmp_path / "worker.log")
    try:
        r = connect(server.url)
        job = start_task(r, "fetch", "fetch")
        wait_until(lambda: len(ticks(connect(server.url))) >= 100, what="first ticks")
        stall = threading.Thread(target=server.stall, args=(STALL_S,))
        stalled_at = time.monotonic()
        stall.start()
        answers: list[tuple[str, float, int, float]] = []  # path, sent (since the stall), code, took
        while stall.is_alive():
            for path in ("/healthz", "/api/fetch/state", "/api/modules", "/api/fetch/config"):
                t0 = time.monotonic()
                code = httpx.get(url + path, timeout=30).status_code
                answers.append((path, t0 - stalled_at, code, time.monotonic() - t0))
        stall.join()
        slow = [a for a in answers if a[3] > ANSWER_S]
        assert not slow, slow
        # Sent well inside the stall: 503 (Redis silent), /healthz included.
        inside = [a for a in answers if 0.5 < a[1] < STALL_S - ANSWER_S]
        assert len(inside) >= 8 and all(a[2] == 503 for a in inside), answers
        assert any(a[0] == "/healthz" for a in inside), answers

        # The task was not declared dead: it runs on, its ticks go on, and it stops cleanly.
        after = len(ticks(connect(server.url)))
        wait_until(lambda: len(ticks(connect(server.url))) >= after + 300, what="ticks after the stall")
        time.sleep(8.0)  # past the reconciler's grace for a missing lease
        state = status(server)
        assert state["status"] == "running" and state["job_id"] == job, state
        assert httpx.get(url + "/healthz", timeout=10).status_code == 200
        assert stop_module(connect(server.url), "fetch")["stopping"]
        wait_until(lambda: status(server)["status"] not in ("running", "stopping"), what="stopped")
        assert status(server)["status"] == "stopped", status(server)
        seen = ticks(connect(server.url))
        assert seen == list(range(len(seen)))  # none lost, none twice, in order
    finally:
        end_worker(worker)
        end_process(gateway)


def test_a_killed_work_horse_is_failed_at_once_in_words_that_say_so(
    server: RedisServer, tmp_path: Path
) -> None:
    worker = start_worker(server.url, tmp_path / "data", {"STUB_ENTRY": TICKER}, tmp_path / "worker.log")
    try:
        r = connect(server.url)
        job = start_task(r, "fetch", "fetch")
        wait_until(lambda: len(ticks(connect(server.url))) >= 50, what="first ticks")
        horses = children_of(worker.pid)
        assert horses, "the job runs in a forked work-horse"
        t0 = time.monotonic()
        for pid in horses:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: status(server)["status"] == "failed", what="failed")
        took = time.monotonic() - t0
        state = status(server)
        assert state["job_id"] == job, state
        assert "ended unexpectedly" in state["error"] and "SIGKILL" in state["error"], state
        assert "worker died" not in state["error"], state
        assert took < 10.0, f"failed only after {took:.1f} s (the lease TTL is 20 s)"
        # The same worker takes the next job.
        assert worker.poll() is None
        job2 = start_task(r, "fetch", "fetch")
        wait_until(lambda: status(server).get("job_id") == job2 and status(server)["status"] == "running")
        stop_module(r, "fetch")
        wait_until(lambda: status(server)["status"] not in ("running", "stopping"), what="stopped")
    finally:
        end_worker(worker)
