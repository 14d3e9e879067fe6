"""Things going wrong: a worker killed mid-task, the gateway restarted, a task that
ignores stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from services.launcher import children_of
from services.testing.events import Events, alive, start, stop_and_wait, wait_status
from services.testing.stack import READY_S, ROOT, WAIT_S, Stack, wait_ready
from shared import keys
from shared.runtime.connection import connect
from shared.runtime.control import start_task, stop_module
from shared.runtime.state import read_state

pytestmark = pytest.mark.stack


def test_worker_killed_mid_task_leaves_module_failed_then_usable(live: Stack) -> None:
    job = start(live.url, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=job)
    worker = int(live.info()["children"]["worker:scriptor"])
    horses = children_of(worker)
    assert horses, "the job runs in a forked work-horse"
    for pid in [worker, *horses]:
        os.kill(pid, signal.SIGKILL)
    # The lease stops being renewed; the reconciler marks the job failed (within 60 s).
    state = wait_status(live.url, "scriptor", "failed", job_id=job, timeout=60)
    assert "died" in state["error"]
    # The launcher restarted the worker; the module takes new work.
    live.wait_healthy()
    job2 = start(live.url, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=job2)
    stop_and_wait(live.url, "scriptor")


def test_gateway_restart_keeps_config_and_events(live: Stack) -> None:
    resp = httpx.post(f"{live.url}/api/workflow/update_config", json={"workflow_mode": "Capture"})
    version = resp.json()["version"]
    first = Events(live.ws_url)
    snap = first.wait_for(lambda e: e.get("type") == "snapshot")
    first.close()
    os.kill(int(live.info()["children"]["gateway"]), signal.SIGKILL)
    live.wait_healthy()  # the launcher brought it back
    doc = httpx.get(f"{live.url}/api/workflow/config").json()
    assert doc["version"] == version and doc["config"]["workflow_mode"] == "Capture"
    again = Events(live.ws_url, since=f"workflow:{snap['modules']['workflow']['last_id']}")
    try:
        job = start(live.url, "workflow", "workflow")
        again.wait_for(lambda e: e.get("type") == "state" and e["data"]["job_id"] == job)
    finally:
        again.close()
    stop_and_wait(live.url, "workflow")


def start_stub_worker(
    redis_url: str, data_dir: Path, db: int, entry: str
) -> tuple[str, subprocess.Popen[bytes]]:
    """A real ``fetch`` worker running ``entry`` (registry patched in that process only), on
    its own Redis database so it shares nothing with other tests."""
    url = redis_url.rsplit("/", 1)[0] + f"/{db}"
    redis.Redis.from_url(url).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update(
        {
            "AUTOBANG_REDIS_URL": url,
            "AUTOBANG_STOP_GRACE_S": "1",
            "AUTOBANG_DATA_DIR": str(data_dir),
            "STUB_ENTRY": entry,
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.platform.stubborn"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    r = connect(url)
    beat = keys.worker_heartbeat("fetch")
    wait_ready(lambda: bool(r.exists(beat)), "the stub fetch worker", proc)
    return url, proc


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def stubborn_worker(redis_url: str, tmp_path: Path) -> Iterator[str]:
    url, proc = start_stub_worker(redis_url, tmp_path, 9, "tests.platform.stubborn:stubborn")
    yield url
    stop_worker(proc)


def test_missing_task_body_fails_the_job_readably_and_the_worker_survives(
    redis_url: str, tmp_path: Path
) -> None:
    url, proc = start_stub_worker(redis_url, tmp_path, 10, "services.nowhere.tasks:fetch")
    try:
        r = connect(url)
        for _ in range(2):  # the worker is still there for the next job
            job = start_task(r, "fetch", "fetch")
            deadline = time.monotonic() + WAIT_S
            while (
                read_state(r, "fetch").get("status") in ("queued", "running") and time.monotonic() < deadline
            ):
                time.sleep(0.05)
            state = read_state(r, "fetch")
            assert state["job_id"] == job and state["status"] == "failed"
            assert state["error"].startswith("task body services.nowhere.tasks:fetch is not available: ")
            assert "No module named 'services.nowhere'" in state["error"]
        assert proc.poll() is None
        assert r.get("autobang:lease:fetch") is None
    finally:
        stop_worker(proc)


def test_task_ignoring_stop_is_killed_after_grace_and_marked_stopped(stubborn_worker: str) -> None:
    r = connect(stubborn_worker)
    job = start_task(r, "fetch", "fetch")
    deadline = time.monotonic() + WAIT_S
    while (read_state(r, "fetch").get("fields") or "{}") == "{}" and time.monotonic() < deadline:
        time.sleep(0.05)
    state = read_state(r, "fetch")
    assert state["status"] == "running" and state["job_id"] == job
    horse = int(__import__("json").loads(state["fields"])["pid"])
    assert stop_module(r, "fetch")["stopping"]
    deadline = time.monotonic() + WAIT_S
    while read_state(r, "fetch")["status"] == "stopping" and time.monotonic() < deadline:
        time.sleep(0.05)
    final = read_state(r, "fetch")
    assert final["status"] == "stopped" and final["error"].startswith("killed: ignored the stop")
    wait_ready(lambda: not alive(horse), "the killed work-horse's end")
    assert r.get("autobang:lease:fetch") is None  # free again


def test_sigterm_to_a_busy_worker_stops_its_task_cleanly(live: Stack) -> None:
    job = start(live.url, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=job)
    worker = int(live.info()["children"]["worker:scriptor"])
    os.kill(worker, signal.SIGTERM)  # what `docker compose stop` sends
    state = wait_status(live.url, "scriptor", "stopped", "failed", job_id=job)
    assert state["status"] == "stopped" and state["error"] is None
    wait_ready(lambda: not alive(worker), "warm shutdown of the scriptor worker")  # on its own
    live.wait_healthy()


def test_second_worker_cannot_run_a_second_task_of_the_module(live: Stack) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update({"AUTOBANG_REDIS_URL": live.redis_url, "AUTOBANG_DATA_DIR": str(live.data_dir)})
    extra = subprocess.Popen(
        [sys.executable, "-m", "tests.worker", "scriptor"],  # either worker may take the job
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Bypass the gateway and the script: a plain RQ enqueue of a second run.
        from rq import Queue, Worker
        from rq.serializers import JSONSerializer

        q = Queue(
            keys.queue_name("scriptor"),
            connection=redis.Redis.from_url(live.redis_url),
            serializer=JSONSerializer,
        )

        # The extra worker listens before the first job, so the rogue job meets an idle worker
        # (worker names carry the pid: shared.runtime.worker.worker_name).
        def listening() -> bool:
            return any(f".{extra.pid}." in w.name for w in Worker.all(queue=q))

        wait_ready(listening, "the second scriptor worker", extra)
        job = start(live.url, "scriptor", "start_scriptor")
        wait_status(live.url, "scriptor", "running", job_id=job)
        rogue = q.enqueue("shared.runtime.job.run_task", "scriptor", "start_scriptor")
        deadline = time.monotonic() + WAIT_S
        while rogue.get_status(refresh=True) != "failed" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rogue.get_status() == "failed"
        assert f"module scriptor is busy: task start_scriptor (job {job})" in (
            rogue.latest_result().exc_string or ""  # type: ignore[union-attr]
        )
        state = httpx.get(f"{live.url}/api/scriptor/state").json()
        assert state["status"] == "running" and state["job_id"] == job  # the holder is untouched
    finally:
        stop_and_wait(live.url, "scriptor")
        extra.send_signal(signal.SIGTERM)
        extra.wait(READY_S)
