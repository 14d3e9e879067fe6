"""Starting tasks with the real redis-cli binary and scripts/inject.lua, as the docs say.
(The scripts/inject wrapper: tests/runtime/test_inject_script.py.)"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from services.testing.events import stop_and_wait, wait_status
from services.testing.stack import ROOT, WAIT_S, Stack
from shared import keys

pytestmark = pytest.mark.stack

SCRIPT = ROOT / "scripts" / "inject.lua"


def inject(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("redis-cli")
    assert exe, "redis-cli is not installed"
    return subprocess.run(
        [exe, "-u", stack.redis_url, "--eval", str(SCRIPT), ",", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_inject_starts_a_task_with_config(live: Stack) -> None:
    out = inject(live, "scriptor", "start_scriptor", '{"mode": "Free", "MAX_RE_READY": 3}')
    job = out.stdout.strip()
    assert out.returncode == 0 and job.startswith("inj-"), out
    state = wait_status(live.url, "scriptor", "running", job_id=job)
    assert state["task"] == "start_scriptor"
    # The overrides reached the task (the test body reports its mode).
    deadline = time.monotonic() + WAIT_S
    while state["fields"].get("mode") != "Free" and time.monotonic() < deadline:
        state = httpx.get(f"{live.url}/api/scriptor/state").json()
    assert state["fields"]["mode"] == "Free"
    busy = inject(live, "scriptor", "start_scriptor")
    assert "MODULE_BUSY" in busy.stdout + busy.stderr and job in busy.stdout + busy.stderr
    stop_and_wait(live.url, "scriptor")


def test_inject_refuses_unknown_tasks_and_bad_config(live: Stack) -> None:
    cases = {
        ("scriptor", "rm_rf"): "UNKNOWN_TASK unknown task 'scriptor:rm_rf'",
        ("os", "system"): "UNKNOWN_TASK",
        ("ui_recognition", "train_ui_recognition", '{"epoch": 500}'): "epoch: must be <= 100, got 500",
        ("ui_recognition", "train_ui_recognition", '{"epoch": "ten"}'): "epoch: must be an integer",
        ("ui_recognition", "train_ui_recognition", '{"epochs": 5}'): "epochs: unknown field",
        ("scriptor", "start_scriptor", '{"mode": "Fast"}'): "mode: must be one of Free, Collaborate",
        ("scriptor", "start_scriptor", "[1, 2]"): "config must be a JSON object",
        ("scriptor", "start_scriptor", "{nope"): "config is not valid JSON",
    }
    r = redis.Redis.from_url(live.redis_url, decode_responses=True)
    before = {m: Queue(keys.queue_name(m), connection=r).count for m in ("scriptor", "ui_recognition")}
    for args, expected in cases.items():
        out = inject(live, *args)
        assert expected in out.stdout + out.stderr, (args, out)
    after = {m: Queue(keys.queue_name(m), connection=r).count for m in ("scriptor", "ui_recognition")}
    assert after == before  # nothing was enqueued
    assert httpx.get(f"{live.url}/api/scriptor/state").json()["status"] not in ("queued", "running")


def test_config_the_script_cannot_judge_fails_the_job_readably(live: Stack) -> None:
    # Lua checks types and ranges; cross-field rules are the pydantic model's, at job start.
    out = inject(live, "scriptor", "start_scriptor", '{"weight_title": "nobody"}')
    job = out.stdout.strip()
    assert out.returncode == 0 and job, out
    state = wait_status(live.url, "scriptor", "failed", job_id=job)
    assert state["error"].startswith("invalid config:") and "nobody" in state["error"]
    assert httpx.get(f"{live.url}/api/scriptor/state").json()["status"] == "failed"
    # ...and the module is free for the next start.
    out = inject(live, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=out.stdout.strip())
    stop_and_wait(live.url, "scriptor")


def test_worker_runs_only_the_runtime_entry_point(live: Stack, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    conn = redis.Redis.from_url(live.redis_url)
    q = Queue(keys.queue_name("fetch"), connection=conn, serializer=JSONSerializer)
    job = q.enqueue("os.system", f"touch {marker}", job_id=f"evil-{uuid.uuid4().hex[:6]}")
    deadline = time.monotonic() + WAIT_S
    while job.get_status(refresh=True) not in ("failed", "finished") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.get_status() == "failed"
    assert "refused job function 'os.system'" in (job.latest_result().exc_string or "")  # type: ignore[union-attr]
    assert not marker.exists()


def test_the_script_uses_rq_s_own_key_names() -> None:
    """The script writes RQ's keys by hand: they must be the installed RQ's names."""
    lua = SCRIPT.read_text()
    assert f"local job_key = '{Job.redis_job_namespace_prefix}' .. job_id" in lua
    prefix = Queue.redis_queue_namespace_prefix
    assert f"redis.call('SADD', '{Queue.redis_queues_keys}', '{prefix}' .. queue)" in lua
    assert f"redis.call('RPUSH', '{prefix}' .. queue, job_id)" in lua
