"""``autobang up`` as a whole: Ctrl-C leaves no process behind; config and state survive a
restart of everything, and config survives losing Redis's data (file mirror)."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import httpx
import pytest

from services.launcher import children_of
from services.testing.events import alive, start, wait_status
from services.testing.stack import start_stack
from tests.conftest import free_port

pytestmark = pytest.mark.stack


def test_ctrl_c_stops_everything_without_orphans(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "data", free_port())
    try:
        job = start(stack.url, "scriptor", "start_scriptor")
        wait_status(stack.url, "scriptor", "running", job_id=job)
        tree = children_of(stack.proc.pid)
        worker = int(stack.info()["children"]["worker:scriptor"])
        horses = children_of(worker)
        assert horses and set(horses) <= set(tree)
        # redis-server, the gateway, 5 workers and the running job's work-horse
        assert len(tree) >= 8
    finally:
        stack.proc.send_signal(signal.SIGINT)
        code = stack.proc.wait(60)
    assert code == 0
    assert [pid for pid in tree if alive(pid)] == []
    assert "stopped" in stack.log()
    assert not (tmp_path / "data" / "run" / "launcher.json").exists()


def test_config_and_state_survive_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    stack = start_stack(data, port)
    try:
        resp = httpx.post(
            f"{stack.url}/api/scriptor/update_config", json={"mode": "Stage", "MAX_RE_READY": 7}
        )
        version = resp.json()["version"]
        job = start(stack.url, "scriptor", "start_scriptor")
        wait_status(stack.url, "scriptor", "running", job_id=job)
    finally:
        stack.stop()  # Ctrl-C stops the task cooperatively first
    mirror = json.loads((data / "config" / "scriptor.json").read_text())
    assert mirror["version"] == version and mirror["config"]["MAX_RE_READY"] == 7

    stack = start_stack(data, port)  # same Redis data (AOF)
    try:
        doc = httpx.get(f"{stack.url}/api/scriptor/config").json()
        assert doc["version"] == version and doc["config"]["mode"] == "Stage"
        state = httpx.get(f"{stack.url}/api/scriptor/state").json()
        assert state["job_id"] == job and state["status"] == "stopped"
    finally:
        stack.stop()

    shutil.rmtree(data / "redis")  # Redis lost everything: the file mirror restores config
    stack = start_stack(data, port)
    try:
        doc = httpx.get(f"{stack.url}/api/scriptor/config").json()
        assert doc["version"] == version and doc["config"]["MAX_RE_READY"] == 7
        assert httpx.get(f"{stack.url}/api/scriptor/state").json()["status"] == "idle"
    finally:
        stack.stop()


def test_up_uses_an_existing_redis_and_leaves_it_running(tmp_path: Path, redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/6"
    # the product's own `autobang up` (real bodies; this test runs no task)
    stack = start_stack(tmp_path / "data", free_port(), redis_url=url, test_bodies=False)
    try:
        assert stack.redis_url == url
        assert not (tmp_path / "data" / "redis").exists()  # no redis-server of its own
        assert httpx.get(f"{stack.url}/api/fetch/state").json()["status"] == "idle"
    finally:
        assert stack.stop() == 0
    import redis

    assert redis.Redis.from_url(url).ping()  # not ours to stop


def test_up_refuses_a_busy_port(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from services.testing.stack import ROOT

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "services.cli",
                "up",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "d"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert out.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in out.stdout
