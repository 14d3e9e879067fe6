"""``/api/devices`` and the units of other devices at the gateway: the list with each
device's scriptor (unit, worker, status), a new list validated (422 naming the field) and
saved for the next start; a scriptor run for another device is started, shown, refused a
second time and stopped under ``scriptor@NAME``; its events reach the socket's snapshot;
the play history filtered by device."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from websockets.sync.client import connect as ws_connect

from services.gateway.app import create_app
from services.testing.stack import wait_ready
from shared.config.devices import DeviceList, save_devices
from shared.play_history import history_path
from shared.settings import Settings
from tests.conftest import free_port

TARGET = "adb://127.0.0.1:5037/emulator-5554"
LIST = {
    "devices": [
        {"name": "default", "target": TARGET, "kind": "emulator"},
        {"name": "second", "target": "adb://127.0.0.1:5039", "kind": "simulator"},
        {"name": "farm", "target": "adb://10.0.0.5:5037", "kind": "remote"},
    ]
}


@pytest.fixture
def url(tmp_path: Path, redis_url: str) -> Iterator[str]:
    """A gateway started with a saved device list of three (own Redis database)."""
    db = redis_url.rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(db).flushdb()
    data = tmp_path / "data"
    save_devices(data, DeviceList.model_validate(LIST))
    port = free_port()
    app = create_app(Settings(redis_url=db, data_dir=data, device=TARGET))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_ready(lambda: server.started or not thread.is_alive(), "the in-process gateway")
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def test_the_list_with_each_devices_scriptor(url: str) -> None:
    doc = httpx.get(f"{url}/api/devices").json()
    assert [(d["name"], d["unit"], d["worker"], d["status"]) for d in doc["devices"]] == [
        ("default", "scriptor", False, "idle"),
        ("second", "scriptor@second", False, "idle"),
        ("farm", "scriptor@farm", False, "idle"),
    ]
    assert doc["restart_needed"] is False
    # each device module's worker for the device (none started here)
    assert doc["devices"][1]["workers"] == {
        m: False for m in ("scriptor", "song_recognition", "ui_recognition", "workflow")
    }


def test_a_new_list_is_validated_and_saved_for_the_next_start(url: str, tmp_path: Path) -> None:
    bad = {"devices": [{"name": "default", "target": TARGET}, {"name": "Two!", "target": "adb"}]}
    resp = httpx.put(f"{url}/api/devices", json=bad)
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "devices", 1, "name"]
    moved = {"devices": [{"name": "default", "target": "adb://127.0.0.1:1"}]}
    resp = httpx.put(f"{url}/api/devices", json=moved)
    detail = resp.json()["detail"][0]
    assert resp.status_code == 422 and detail["loc"] == ["body", "devices", 0, "target"]
    assert "the first device is AUTOBANG_DEVICE" in detail["msg"]
    fewer = {"devices": LIST["devices"][:2]}
    doc = httpx.put(f"{url}/api/devices", json=fewer).json()
    assert doc["restart_needed"] is True and len(doc["saved"]["devices"]) == 2
    assert len(doc["devices"]) == 3  # in effect until the next start
    saved = json.loads((tmp_path / "data" / "devices.json").read_text())
    assert [d["name"] for d in saved["devices"]] == ["default", "second"]


def test_a_run_for_another_device_is_its_units(url: str) -> None:
    body = {"config": {"mode": "Free"}}
    resp = httpx.post(f"{url}/api/scriptor@second/tasks/start_scriptor/start", json=body)
    assert resp.status_code == 200, resp.text
    job = resp.json()["job_id"]
    assert httpx.get(f"{url}/api/scriptor@second/state").json()["job_id"] == job
    assert httpx.get(f"{url}/api/scriptor/state").json()["status"] == "idle"  # the first device's
    again = httpx.post(f"{url}/api/scriptor@second/tasks/start_scriptor/start", json=body)
    assert again.status_code == 409 and "scriptor@second is busy" in again.json()["detail"]
    # The first device's scriptor starts beside it.
    assert httpx.post(f"{url}/api/scriptor/tasks/start_scriptor/start", json=body).status_code == 200
    unknown = httpx.post(f"{url}/api/scriptor@nope/tasks/start_scriptor/start", json=body)
    assert unknown.status_code == 404 and "no device 'nope'" in unknown.json()["detail"]
    assert httpx.post(f"{url}/api/fetch@second/tasks/fetch/start", json={}).status_code == 404
    bad = httpx.post(f"{url}/api/scriptor@second/tasks/start_scriptor/start", json={"config": {"mode": 1}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:3] == ["body", "config", "mode"]
    with ws_connect(url.replace("http", "ws") + "/ws") as socket:
        snapshot = json.loads(socket.recv(timeout=30))
    assert snapshot["modules"]["scriptor@second"]["job_id"] == job
    assert {"scriptor@farm", "workflow@second", "song_recognition@second"} <= set(snapshot["modules"])
    stopped = httpx.post(f"{url}/api/scriptor@second/stop").json()
    assert stopped["status"] == "stopped"
    assert httpx.get(f"{url}/api/scriptor/state").json()["status"] == "queued"  # the other goes on
    doc = httpx.get(f"{url}/api/devices").json()
    assert [d["status"] for d in doc["devices"]] == ["queued", "stopped", "idle"]


def test_the_history_of_one_device(url: str, tmp_path: Path) -> None:
    path = history_path(tmp_path / "data")
    path.parent.mkdir(parents=True, exist_ok=True)
    row = {"ts": 1.0, "song_id": 1, "title": "x", "difficulty": "expert", "mode": "Free"}
    rows = [{**row, "device": d} for d in ("emulator-5554", "emulator-5556", "emulator-5554")]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert len(httpx.get(f"{url}/api/scriptor/history").json()) == 3
    mine = httpx.get(f"{url}/api/scriptor/history", params={"device": "emulator-5556"}).json()
    assert [r["device"] for r in mine] == ["emulator-5556"]


def test_the_screen_of_a_chosen_device(url: str) -> None:
    said = httpx.get(f"{url}/api/device", params={"device": "second"}, timeout=60).json()
    assert said["spec"] == "adb://127.0.0.1:5039" and said["connected"] is False, said  # nothing there
    assert "no ADB server at 127.0.0.1:5039" in said["error"], said
    missing = httpx.get(f"{url}/api/device", params={"device": "nope"})
    assert missing.status_code == 404 and "no device 'nope'" in missing.json()["detail"]
