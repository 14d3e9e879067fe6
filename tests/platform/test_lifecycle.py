"""``autobang up`` as a whole: Ctrl-C leaves no process behind; config and state survive a
restart of everything, and config survives losing Redis's data (file mirror)."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import httpx

from services.launcher import children_of
from tests.conftest import free_port
from tests.platform.helpers import start, wait_status
from tests.platform.test_failures import alive
from tests.stack import start_stack


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
