"""Every module's device tasks on a chosen device (issue #20, the dashboard's device picker
on the Workflow tab): with two simulated emulators in the device list, ``workflow@second``
started through the API runs on the second one (its frames name the second emulator's
serial, published under its unit), the tab's Save frame and colour probe take that unit's
frame, the first device's workflow stays idle with no frame, and stopping it stops that
unit only. The second device's worker is a separate process
(``autobang worker workflow --device-name second``), as ``autobang up`` or another machine
starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import uvicorn

from services.gateway.app import create_app
from services.testing.simgame import Simulator, prepare_data
from services.testing.stack import READY_S, end_process, wait_ready, wait_state
from shared import keys
from shared.config.devices import DeviceList, save_devices
from shared.settings import Settings
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.stack

SERIALS = {"default": "emulator-5554", "second": "emulator-5556"}


def frame_meta(url: str, unit: str) -> dict[str, Any] | None:
    """The meta of the latest frame the unit published, or None before any."""
    for image in httpx.get(f"{url}/api/{unit}/images", timeout=10).json():
        if image["kind"] == "frame":
            meta: dict[str, Any] = image["meta"]
            return meta
    return None


@pytest.fixture
def gateway(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, str, Path, dict[str, Simulator]]]:
    """Two simulated emulators in the device list and an in-process gateway (own Redis
    database): (url, redis url, data dir, simulators by device name)."""
    db = redis_url.rsplit("/", 1)[0] + "/15"
    redis.Redis.from_url(db).flushdb()
    data = tmp_path / "data"
    sims: dict[str, Simulator] = {}
    for name, serial in SERIALS.items():
        own = tmp_path / name / "data"
        prepare_data(own, [], 1.0)
        sims[name] = Simulator({"mode": "Free", "serial": serial}, free_port(), own)
    targets = {name: f"adb://127.0.0.1:{sim.port}" for name, sim in sims.items()}
    devices = [
        {"name": "default", "target": targets["default"], "kind": "simulator"},
        {"name": "second", "target": targets["second"], "kind": "remote"},
    ]
    save_devices(data, DeviceList.model_validate({"devices": devices}))
    port = free_port()
    app = create_app(Settings(redis_url=db, data_dir=data, device=targets["default"]))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_ready(lambda: server.started or not thread.is_alive(), "the in-process gateway")
        assert server.started
        yield f"http://127.0.0.1:{port}", db, data, sims
    finally:
        server.should_exit = True
        thread.join(30)
        for sim in sims.values():
            sim.stop()
        redis.Redis.from_url(db).flushdb()


def test_the_workflow_runs_on_the_chosen_device(
    gateway: tuple[str, str, Path, dict[str, Simulator]], tmp_path: Path
) -> None:
    url, db, data, sims = gateway
    log_path = tmp_path / "worker.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    with log_path.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker", "workflow", "--redis", db,
             "--device", f"adb://127.0.0.1:{sims['second'].port}", "--device-name", "second",
             "--data-dir", str(data)],
            cwd=ROOT, env={**clean, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    r = redis.Redis.from_url(db, decode_responses=True)

    def said() -> str:
        return log_path.read_text(errors="replace")

    try:
        wait_ready(lambda: bool(r.exists(keys.worker_heartbeat("workflow@second"))),
                   "the workflow worker for the second device", worker, said, READY_S)  # fmt: skip
        workers = [d["workers"] for d in httpx.get(f"{url}/api/devices").json()["devices"]]
        assert [w["workflow"] for w in workers] == [False, True]  # the device list says who serves it
        resp = httpx.post(
            f"{url}/api/workflow@second/tasks/workflow/start",
            json={"config": {"workflow_mode": "Capture", "frame_rate": 5}},
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        job = resp.json()["job_id"]
        wait_state(url, "workflow@second", lambda s: s["status"] == "running", READY_S, said)
        deadline = time.monotonic() + READY_S
        while (meta := frame_meta(url, "workflow@second")) is None:
            assert time.monotonic() < deadline and worker.poll() is None, said()
            time.sleep(0.2)
        assert meta["source"] == SERIALS["second"], (meta, said())  # the second emulator's frames
        # The first device's workflow is not the one that ran: idle, no frame of its own.
        assert httpx.get(f"{url}/api/workflow/state").json()["status"] == "idle"
        assert frame_meta(url, "workflow") is None
        # The tab's Save frame and colour probe take the picked device's frame.
        params = {"state": "playing", "folder": "ui_inbox"}
        saved = httpx.post(f"{url}/api/workflow/frames", params={**params, "unit": "workflow@second"})
        assert saved.status_code == 200 and saved.json()["path"].endswith("_playing.png"), saved.text
        assert (data / saved.json()["path"]).is_file()
        first = httpx.post(f"{url}/api/workflow/frames", params=params)
        assert first.status_code == 404 and "workflow has published no frame yet" in first.text
        color = httpx.get(f"{url}/api/workflow/color", params={"x": 1, "y": 1, "unit": "workflow@second"})
        assert color.status_code == 200 and color.json()["frame_url"] == "/api/workflow@second/images/frame"
        other = httpx.get(f"{url}/api/workflow/color", params={"x": 1, "y": 1, "unit": "scriptor@second"})
        assert other.status_code == 404 and "not the workflow's unit" in other.text
        # While it holds the second device, the second device's other device tasks wait,
        # and the first device's are free.
        busy = httpx.post(f"{url}/api/scriptor@second/tasks/start_scriptor/start", json={"config": {}})
        assert busy.status_code == 409 and "the device second is in use" in busy.json()["detail"], busy.text
        assert httpx.post(f"{url}/api/workflow@second/stop").json()["status"] in ("stopping", "stopped")
        state = wait_state(url, "workflow@second", lambda s: s["status"] == "stopped", READY_S, said)
        assert state["job_id"] == job
        assert httpx.get(f"{url}/api/workflow/state").json()["status"] == "idle"
    finally:
        end_process(worker)
