"""The embedded launcher under faults (``autobang up`` with a test-only fetch body,
``tests.platform.stub_up``): its redis-server has a password and is restarted on the same
port when it dies, a killed worker's horse ends and is reaped, and the restart backoff
starts over after a healthy run."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from services.launcher import children_of, free_port
from services.testing.events import stop_and_wait, wait_status
from services.testing.faults import ticks, wait_until
from services.testing.stack import Stack, start, start_stack
from shared.runtime.connection import connect

pytestmark = pytest.mark.stack

HEALTHY_S = 4.0


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "STUB_ENTRY": "tests.platform.canary:ticker",
        "TICK_RATE": "100",
        "AUTOBANG_RESTART_DELAY_S": "0.2",
        "AUTOBANG_RESTART_HEALTHY_S": str(HEALTHY_S),
    }
    s = start_stack(
        tmp_path_factory.mktemp("faults") / "data", free_port(), env=env, entry="tests.platform.stub_up"
    )
    yield s
    s.stop()


def redis_pid(stack: Stack) -> int:
    port = int(stack.redis_url.rsplit(":", 1)[1].split("/")[0])
    for pid in children_of(stack.proc.pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()  # Redis retitles it "host:port"
        except OSError:
            continue
        if b"redis-server" in cmd and f":{port}".encode() in cmd:
            return pid
    raise AssertionError("no redis-server under the launcher")


def test_the_embedded_redis_has_a_password_kept_out_of_sight(up: Stack) -> None:
    rdir = up.data_dir / "redis"
    password = (rdir / "password").read_text().strip()
    assert len(password) >= 24
    assert stat.S_IMODE((rdir / "password").stat().st_mode) == 0o600
    assert stat.S_IMODE((up.data_dir / "run" / "launcher.json").stat().st_mode) == 0o600
    assert password.encode() not in Path(f"/proc/{redis_pid(up)}/cmdline").read_bytes()
    port = int(up.redis_url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port).ping()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port, password="wrong").ping()
    assert connect(up.redis_url).ping()


def test_a_crashed_redis_is_restarted_and_the_task_rides_it_out(up: Stack) -> None:
    job = start(up.url, "fetch", "fetch")
    wait_status(up.url, "fetch", "running", job_id=job)
    wait_until(lambda: len(ticks(connect(up.redis_url))) >= 100, what="first ticks")
    time.sleep(1.5)  # appendfsync everysec: what a SIGKILL may lose is the last second
    old = redis_pid(up)
    os.kill(old, signal.SIGKILL)
    wait_until(lambda: "redis-server is back" in up.log(), what="redis restarted")
    assert "redis-server exited with -9; restarting" in up.log()
    assert redis_pid(up) != old
    before = len(ticks(connect(up.redis_url)))
    wait_until(lambda: len(ticks(connect(up.redis_url))) >= before + 100, what="ticks after the restart")
    state = httpx.get(f"{up.url}/api/fetch/state").json()
    assert state["status"] == "running" and state["job_id"] == job, state
    up.wait_healthy()
    assert stop_and_wait(up.url, "fetch")["status"] == "stopped"


def test_a_killed_worker_leaves_no_busy_module_and_no_zombie(up: Stack) -> None:
    job = start(up.url, "fetch", "fetch")
    state = wait_state_with_pid(up)
    horse = int(state["fields"]["pid"])
    worker = int(up.info()["children"]["worker:fetch"])
    assert horse in children_of(worker)
    os.kill(worker, signal.SIGKILL)  # the main process only: its horse is orphaned
    failed = wait_status(up.url, "fetch", "failed", job_id=job)
    assert "died" in failed["error"]
    # The horse ended itself, and the launcher (its new parent) reaped it: no zombie.
    wait_until(lambda: not Path(f"/proc/{horse}").exists(), what="horse gone")
    up.wait_healthy()
    job2 = start(up.url, "fetch", "fetch")
    wait_status(up.url, "fetch", "running", job_id=job2)
    stop_and_wait(up.url, "fetch")


def wait_state_with_pid(stack: Stack) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = httpx.get(f"{stack.url}/api/fetch/state").json()
        if state["status"] == "running" and "pid" in state["fields"]:
            return dict(state)
        time.sleep(0.05)
    raise AssertionError("the task never reported its pid")


def restart_delays(stack: Stack) -> list[float]:
    return [
        float(d) for d in re.findall(r"worker:fetch exited with -9; restarting in ([\d.]+) s", stack.log())
    ]


def kill_fetch_worker(stack: Stack) -> None:
    pid = int(stack.info()["children"]["worker:fetch"])
    os.kill(pid, signal.SIGKILL)
    wait_until(
        lambda: (
            int(
                json.loads((stack.data_dir / "run" / "launcher.json").read_text())["children"]["worker:fetch"]
            )
            != pid
        ),
        what="respawn",
    )


def test_the_restart_backoff_starts_over_after_a_healthy_run(up: Stack) -> None:
    up.wait_healthy()
    time.sleep(HEALTHY_S + 1)  # whatever crashed before, the worker has now run healthily
    seen = len(restart_delays(up))
    for _ in range(4):
        kill_fetch_worker(up)
    assert restart_delays(up)[seen:] == [0.2, 0.4, 0.8, 1.6]
    up.wait_healthy()
    time.sleep(HEALTHY_S + 1)
    kill_fetch_worker(up)
    assert restart_delays(up)[-1] == 0.2
    up.wait_healthy()
