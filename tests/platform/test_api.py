"""The gateway API against the whole stack (``autobang up``): real Redis, real RQ workers,
real HTTP and WebSocket on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from services.testing.events import Events, start, stop_and_wait, wait_state, wait_status
from services.testing.stack import ROOT, Stack, end_process
from shared import keys
from shared.modules import MODULES
from shared.screens import UI_STATES
from tests.conftest import free_port

pytestmark = pytest.mark.stack


def test_health_reports_redis_and_every_worker(live: Stack) -> None:
    health = httpx.get(f"{live.url}/healthz").json()
    assert health["ok"] and health["redis"]
    assert health["workers"] == {m.name: True for m in MODULES}


def test_modules_list_registry_with_state_and_schema(live: Stack) -> None:
    body = httpx.get(f"{live.url}/api/modules").json()
    assert [m["name"] for m in body] == [m.name for m in MODULES]
    for info, spec in zip(body, MODULES, strict=True):
        assert [t["name"] for t in info["tasks"]] == [t.name for t in spec.tasks]
        assert info["state"]["status"] in ("idle", "finished", "stopped", "failed")
        assert info["config_schema"]["properties"].keys() == spec.config_model.model_fields.keys()
    scriptor = body[0]["config_schema"]["properties"]
    assert scriptor["protected_state"]["x-options-from"] == "/api/scriptor/available-states"
    assert scriptor["lobby"]["x-visible-when"] == {"event": ["Tour", "Compete", "Team"]}


def test_start_then_stop_reports_running_then_stopped(live: Stack) -> None:
    events = Events(live.ws_url)
    try:
        job = start(live.url, "scriptor", "start_scriptor")
        events.wait_for(
            lambda e: (
                e.get("type") == "state" and e["data"]["job_id"] == job and e["data"]["status"] == "running"
            )
        )
        events.wait_for(lambda e: e.get("type") == "log" and "test scriptor" in e["data"]["message"])
        resp = httpx.post(f"{live.url}/api/scriptor/tasks/start_scriptor/stop")
        assert resp.json() == {"module": "scriptor", "job_id": job, "status": "stopping", "stopping": True}
        final = events.wait_for(lambda e: e.get("type") == "state" and e["data"]["status"] == "stopped")
        assert final["data"]["job_id"] == job and final["data"]["error"] is None
    finally:
        events.close()
    again = httpx.post(f"{live.url}/api/scriptor/stop").json()
    assert again["stopping"] is False and again["status"] == "stopped"


def test_busy_module_is_409_naming_the_holder(live: Stack) -> None:
    job = start(live.url, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=job)
    resp = httpx.post(f"{live.url}/api/scriptor/tasks/start_scriptor/start")
    assert resp.status_code == 409
    assert "start_scriptor" in resp.json()["detail"] and job in resp.json()["detail"]
    stop_and_wait(live.url, "scriptor")
    # Free again once stopped.
    job2 = start(live.url, "scriptor", "start_scriptor")
    assert job2 != job
    wait_status(live.url, "scriptor", "running", job_id=job2)


def test_two_modules_run_at_the_same_time(live: Stack) -> None:
    sample = live.data_dir / "ui_dataset" / "ready" / "ready_1.png"
    sample.parent.mkdir(parents=True, exist_ok=True)
    sample.write_bytes(png_bytes())
    a = start(live.url, "scriptor", "start_scriptor")
    b = start(live.url, "ui_recognition", "train_ui_recognition", {"epoch": 100})
    wait_status(live.url, "scriptor", "running", job_id=a)
    wait_status(live.url, "ui_recognition", "running", job_id=b)
    # Both still running: neither waited for the other.
    assert httpx.get(f"{live.url}/api/scriptor/state").json()["status"] == "running"
    progress = wait_state(live.url, "ui_recognition", lambda s: (s["progress"] or {}).get("done", 0) >= 2)
    assert progress["progress"]["total"] == 100 and "loss" not in progress["progress"]["metrics"]
    stop_and_wait(live.url, "ui_recognition")
    stop_and_wait(live.url, "scriptor")


def test_live_config_update_reaches_running_task(live: Stack) -> None:
    httpx.put(
        f"{live.url}/api/scriptor/config", json={"mode": "Event", "event": "Compete"}
    ).raise_for_status()
    events = Events(live.ws_url)
    try:
        job = start(live.url, "scriptor", "start_scriptor")
        wait_status(live.url, "scriptor", "running", job_id=job)
        resp = httpx.post(f"{live.url}/api/scriptor/update_config", json={"mode": "Free", "mumu_port": 7556})
        version = resp.json()["version"]
        ack = events.wait_for(lambda e: e.get("type") == "config" and e["data"]["version"] == version)
        assert ack["data"]["job_id"] == job
        assert ack["data"]["applied"] == ["mode"]  # live field
        assert ack["data"]["deferred"] == ["mumu_port"]  # x-live false: next start
        state = wait_state(live.url, "scriptor", lambda s: s["fields"].get("mode") == "Free")
        assert state["job_id"] == job
    finally:
        events.close()
    assert httpx.get(f"{live.url}/api/scriptor/config").json()["config"]["mumu_port"] == 7556
    stored = (live.data_dir / "config" / "scriptor.json").read_text()
    assert '"mode": "Free"' in stored


def test_bad_input_is_422_naming_the_field(live: Stack) -> None:
    before = httpx.get(f"{live.url}/api/ui_recognition/config").json()
    resp = httpx.put(f"{live.url}/api/ui_recognition/config", json={"epoch": 500})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "epoch"]
    resp = httpx.post(f"{live.url}/api/ui_recognition/update_config", json={"epochs": 5})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "epochs"]
    resp = httpx.post(f"{live.url}/api/scriptor/update_config", json={"protected_state": ["nowhere"]})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "protected_state"]
    resp = httpx.post(
        f"{live.url}/api/ui_recognition/tasks/train_ui_recognition/start", json={"config": {"batch_size": 8}}
    )
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "config", "batch_size"]
    resp = httpx.post(f"{live.url}/api/ui_recognition/reply", json={"answer": "Maybe"})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "answer"]
    assert httpx.get(f"{live.url}/api/ui_recognition/config").json() == before  # nothing saved
    assert httpx.post(f"{live.url}/api/nope/tasks/x/start").status_code == 404
    assert httpx.post(f"{live.url}/api/scriptor/tasks/nope/start").status_code == 404
    assert httpx.post(f"{live.url}/api/scriptor/reply", json={"answer": "Yes"}).status_code == 409


def test_prompt_reply_round_trip(live: Stack) -> None:
    shots = live.data_dir / "prompt-shots"
    shots.mkdir(exist_ok=True)
    (shots / "a_ready_1.png").write_bytes(png_bytes())  # no state prefix: asks which state
    (shots / "ready_2.png").write_bytes(png_bytes())  # guessed "ready"
    events = Events(live.ws_url)
    try:
        job = start(live.url, "ui_recognition", "add_img", {"screenshot_dir": "prompt-shots"})
        first = events.wait_for(lambda e: e.get("type") == "prompt" and not e["data"]["closed"])
        assert first["data"]["job_id"] == job and "Which state" in first["data"]["prompt"]
        state = httpx.get(f"{live.url}/api/ui_recognition/state").json()
        assert state["prompt"]["prompt_id"] == first["data"]["prompt_id"]  # in the snapshot too
        n = len(events.messages)
        reply = {"answer": "No", "text": "99", "prompt_id": first["data"]["prompt_id"]}
        assert httpx.post(f"{live.url}/api/ui_recognition/reply", json=reply).status_code == 200
        events.wait_for(
            lambda e: e.get("type") == "log" and "'99' is not a state" in e["data"]["message"], after=n
        )
        second = events.wait_for(lambda e: e.get("type") == "prompt" and not e["data"]["closed"], after=n)
        stale = httpx.post(f"{live.url}/api/ui_recognition/reply", json=reply)
        assert stale.status_code == 409  # the first prompt is closed
        reply = {"answer": "No", "text": "main_page", "prompt_id": second["data"]["prompt_id"]}
        httpx.post(f"{live.url}/api/ui_recognition/reply", json=reply).raise_for_status()
        third = events.wait_for(lambda e: e.get("type") == "prompt" and "'ready'" in e["data"]["prompt"])
        assert third["data"]["options"] == ["Yes", "No", "Drop", "Stop"]
        httpx.post(f"{live.url}/api/ui_recognition/reply", json={"answer": "Yes"}).raise_for_status()
        done = events.wait_for(lambda e: e.get("type") == "state" and e["data"]["status"] == "finished")
        assert done["data"]["fields"] == {"saved": 2, "dropped": 0}
    finally:
        events.close()
    assert (live.data_dir / "ui_dataset" / "main_page" / "a_ready_1.png").exists()
    assert (live.data_dir / "ui_dataset" / "ready" / "ready_2.png").exists()


def test_reconnect_replays_exactly_what_was_missed(live: Stack) -> None:
    first = Events(live.ws_url)
    snap = first.wait_for(lambda e: e.get("type") == "snapshot")
    first.close()
    cursor = {m: s["last_id"] for m, s in snap["modules"].items()}
    job = start(live.url, "scriptor", "start_scriptor")
    wait_status(live.url, "scriptor", "running", job_id=job)
    httpx.post(f"{live.url}/api/fetch/update_config", json={"fetch_mode": "FetchOne"}).raise_for_status()
    stop_and_wait(live.url, "scriptor")
    r = redis.Redis.from_url(live.redis_url, decode_responses=True)
    expected = [i for i, _ in r.xrange(keys.events_stream("scriptor"), min=f"({cursor['scriptor']}")]
    assert len(expected) >= 4  # queued, running, logs, stopping, stopped
    since = ",".join(f"{m}:{i}" for m, i in cursor.items())
    second = Events(live.ws_url, since=since)
    try:
        second.wait_for(
            lambda e: (
                e.get("type") == "state" and e["data"]["job_id"] == job and e["data"]["status"] == "stopped"
            )
        )
        got = [e["id"] for e in second.events("scriptor")]
        assert got[: len(expected)] == expected
        assert not [m for m in second.messages if m.get("type") == "trimmed"]
        # Live events keep flowing after the replay, without repeats.
        job2 = start(live.url, "scriptor", "start_scriptor")
        second.wait_for(lambda e: e.get("type") == "state" and e["data"]["job_id"] == job2)
        ids = [e["id"] for e in second.events("scriptor")]
        assert len(ids) == len(set(ids))
    finally:
        second.close()
    # Opt-in batch frames (/ws?batch=1): the same events, as JSON arrays.
    batched = Events(live.ws_url, since=since, batch=True)
    try:
        batched.wait_for(lambda e: e.get("type") == "state" and e["data"]["job_id"] == job2)
        assert [e["id"] for e in batched.events("scriptor")][: len(expected)] == expected
        assert batched.arrays >= 1 and batched.arrays == batched.frames - 1  # all but the snapshot
    finally:
        batched.close()
    stop_and_wait(live.url, "scriptor")
    # Asking for events the stream no longer holds gets a clear marker.
    r.xtrim(keys.events_stream("scriptor"), maxlen=1, approximate=False)
    third = Events(live.ws_url, since=f"scriptor:{cursor['scriptor']}")
    try:
        marker = third.wait_for(lambda e: e.get("type") == "trimmed")
        assert marker["module"] == "scriptor" and marker["data"]["since"] == cursor["scriptor"]
    finally:
        third.close()


def test_workflow_frames_images_and_color(live: Stack) -> None:
    events = Events(live.ws_url)
    try:
        start(live.url, "workflow", "workflow")
        img = events.wait_for(lambda e: e.get("type") == "image")
    finally:
        events.close()
    assert (img["data"]["width"], img["data"]["height"]) == (1280, 720)
    png = httpx.get(f"{live.url}{img['data']['url']}")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    color = httpx.get(f"{live.url}/api/workflow/color", params={"x": 640, "y": 360}).json()
    import cv2
    import numpy as np

    frame = cv2.imdecode(
        np.frombuffer(httpx.get(f"{live.url}/api/workflow/images/frame").content, np.uint8), 1
    )
    assert frame is not None
    hsv = cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)
    # Frames keep coming, so compare the answer with a frame of the same kind: ranges and shape.
    assert 0 <= color["hsv"][0] <= 179 and all(0 <= c <= 255 for c in color["bgr"])
    assert hsv.shape == (720, 1280, 3)
    out = httpx.get(f"{live.url}/api/workflow/color", params={"x": 5000, "y": 1})
    assert out.status_code == 422 and out.json()["detail"][0]["loc"] == ["query", "x"]


def test_scriptor_lists_and_song_check(live: Stack) -> None:
    assert httpx.get(f"{live.url}/api/scriptor/available-states").json() == list(UI_STATES)
    titles = httpx.get(f"{live.url}/api/scriptor/weight-titles").json()
    assert "skilled" in titles and len(titles) == 10
    check = httpx.get(f"{live.url}/api/scriptor/check-song/655")
    assert check.status_code == 200 and set(check.json()) == {"song_id", "ok", "message"}
    assert httpx.get(f"{live.url}/api/scriptor/check-song/abc").status_code == 422


def png_bytes() -> bytes:
    import cv2
    import numpy as np

    ok, buf = cv2.imencode(".png", np.full((72, 128, 3), 90, np.uint8))
    assert ok
    return bytes(buf.tobytes())


def test_slow_socket_is_closed_and_catches_up_with_its_cursor(live: Stack, tmp_path: Path) -> None:
    """A socket that stops reading is closed (4008) once its queue overflows; reconnecting
    with the last id it got replays the rest: nothing is lost."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update(
        {
            "AUTOBANG_REDIS_URL": live.redis_url,
            "AUTOBANG_DATA_DIR": str(live.data_dir),
            "AUTOBANG_PORT": str(port),
            "AUTOBANG_WS_QUEUE_MAX": "50",
        }
    )
    gateway = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "gateway"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    r = redis.Redis.from_url(live.redis_url, decode_responses=True)
    stream = keys.events_stream("fetch")
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        with connect(f"ws://127.0.0.1:{port}/ws", max_size=None, max_queue=4) as ws:
            snap = json.loads(ws.recv(timeout=10))
            start_id = snap["modules"]["fetch"]["last_id"]
            pad = "x" * 4000
            pipe = r.pipeline(transaction=False)
            for i in range(3000):  # ~12 MB: more than loopback buffers hold
                pipe.xadd(
                    stream,
                    {
                        "type": "log",
                        "ts": f"{time.time():.6f}",
                        "data": json.dumps({"level": "debug", "message": f"flood {i} {pad}"}),
                    },
                )
            pipe.execute()
            ids = [i for i, _ in r.xrange(stream, min=f"({start_id}")]
            time.sleep(2)  # not reading: the gateway's queue for this socket overflows
            got: list[str] = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    msg = json.loads(ws.recv(timeout=30))
                    if msg.get("module") == "fetch":
                        got.append(msg["id"])
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
        assert 0 < len(got) < len(ids) and got == ids[: len(got)]  # a prefix, in order
        rest = Events(f"ws://127.0.0.1:{port}/ws", since=f"fetch:{got[-1]}", batch=True)
        try:
            rest.wait_for(lambda e: e.get("id") == ids[-1], timeout=60)
            assert got + [e["id"] for e in rest.events("fetch")][: len(ids) - len(got)] == ids
        finally:
            rest.close()
    finally:
        end_process(gateway)
        r.xtrim(stream, maxlen=0)


def test_device_lease_keeps_device_tasks_of_different_modules_apart(live: Stack) -> None:
    job = start(live.url, "workflow", "workflow")
    wait_status(live.url, "workflow", "running", job_id=job)
    resp = httpx.post(f"{live.url}/api/scriptor/tasks/start_scriptor/start")
    assert resp.status_code == 409
    assert (
        resp.json()["detail"]
        == "the device is in use by Workflow; device tasks run one at a time: stop it first"
    )
    stop_and_wait(live.url, "workflow")
    job2 = start(live.url, "scriptor", "start_scriptor")  # the device is free again
    wait_status(live.url, "scriptor", "running", job_id=job2)
    stop_and_wait(live.url, "scriptor")


def test_cross_site_pages_cannot_drive_the_gateway(live: Stack) -> None:
    host = live.url.removeprefix("http://")
    evil = {"Origin": "http://evil.example"}
    resp = httpx.post(f"{live.url}/api/scriptor/tasks/start_scriptor/start", headers=evil)
    assert resp.status_code == 403 and "cross-origin" in resp.json()["detail"]
    assert (
        httpx.post(f"{live.url}/api/scriptor/update_config", json={"mode": "Free"}, headers=evil).status_code
        == 403
    )
    assert httpx.get(f"{live.url}/api/scriptor/state").json()["status"] not in ("queued", "running")
    with pytest.raises(InvalidStatus) as refused:
        connect(live.ws_url, additional_headers=evil, open_timeout=10)
    assert refused.value.response.status_code == 403
    # The dashboard's own origin (and Vite's dev proxy, which keeps Host) is fine.
    own = {"Origin": f"http://{host}"}
    assert httpx.post(f"{live.url}/api/fetch/update_config", json={}, headers=own).status_code == 200
    with connect(live.ws_url, additional_headers=own, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
