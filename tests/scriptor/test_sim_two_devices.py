"""Several emulators, through the real stack: two simulated emulators at two display sizes
(1600x900 and 1920x1080), the first served by ``autobang up``'s scriptor worker, the second
(``scriptor@second`` in the device list) by a worker started as a separate process, as on
another machine (``autobang worker scriptor --redis URL --device adb://... --device-name
second``). Both play at the same time; each device's history holds only its own plays;
stopping one leaves the other playing. Each history row is the judgement its own emulator
gave. How well the notes are hit is not asserted here: on this shared 2-core machine
(load average above 10 while other suites run) two plays at once starve the start sync
(1 frame sampled), which can cost every note of a play; scripts/bench_devices.py measures
the All Perfect rate and host timing per device (docs/performance.md), and the test prints
what each play got."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from services.testing.simgame import Simulator, prepare_data, task_log
from services.testing.stack import Stack, end_process, start, start_stack, wait_ready, wait_state
from shared import keys
from shared.config.devices import DeviceList, save_devices
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.stack

SONG = 316
CUT_S = 5.0
CONFIG = {"mode": "Free", "level": "Expert", "is_repeat": True}
SERIALS = {"scriptor": "emulator-5554", "scriptor@second": "emulator-5556"}


@dataclass
class Two:
    stack: Stack
    sims: dict[str, Simulator]  # unit -> its simulated emulator
    worker: subprocess.Popen[bytes]
    worker_log: Path

    def log(self, unit: str) -> str:
        lines = "\n".join(task_log(self.stack.redis_url, unit, last=40))
        return f"{lines}\n--- simulator ---\n{self.sims[unit].log()[-1500:]}"

    def history(self, unit: str) -> list[dict[str, Any]]:
        params = {"device": SERIALS[unit]}
        rows: list[dict[str, Any]] = httpx.get(f"{self.stack.url}/api/scriptor/history", params=params).json()
        return rows


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Two]:
    root = tmp_path_factory.mktemp("two-devices")
    data = root / "data"
    sims: dict[str, Simulator] = {}
    for unit, display in (("scriptor", [1600, 900]), ("scriptor@second", [1920, 1080])):
        own = root / unit.replace("@", "-") / "data"  # each emulator its own report
        prepare_data(own, [(SONG, 3)], CUT_S)
        scenario = {"mode": "Free", "songs": [SONG], "display": display, "serial": SERIALS[unit]}
        sims[unit] = Simulator(scenario, free_port(), own)
    prepare_data(data, [(SONG, 3)], CUT_S)
    first, second = (f"adb://127.0.0.1:{sims[u].port}" for u in ("scriptor", "scriptor@second"))
    devices = [
        {"name": "default", "target": first, "kind": "simulator"},
        {"name": "second", "target": second, "kind": "remote"},  # its worker is started below
    ]
    save_devices(data, DeviceList.model_validate({"devices": devices}))
    env = {"AUTOBANG_DEVICE": first, "AUTOBANG_DEVICE_SIMULATED": "1"}
    stack = start_stack(data, free_port(), env=env, test_bodies=False)
    worker_log = root / "remote-worker.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker", "scriptor", "--redis", stack.redis_url,
             "--device", second, "--device-name", "second", "--data-dir", str(data)],
            cwd=ROOT, env={**clean, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    r = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        wait_ready(
            lambda: bool(r.exists(keys.worker_heartbeat("scriptor@second"))),
            "the worker for the second device",
            worker,
            lambda: worker_log.read_text(errors="replace"),
        )
        yield Two(stack, sims, worker, worker_log)
    finally:
        end_process(worker)
        stack.stop()
        for sim in sims.values():
            sim.stop()


def wait_plays(two: Two, unit: str, n: int, timeout: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while len(rows := two.history(unit)) < n:
        state = httpx.get(f"{two.stack.url}/api/{unit}/state").json()
        assert state["status"] == "running" and time.monotonic() < deadline, (state, two.log(unit))
        time.sleep(0.3)
    return rows


JUDGEMENTS = ("perfect", "great", "good", "bad", "miss")


def assert_own_plays(two: Two, unit: str, rows: list[dict[str, Any]]) -> None:
    """Each row is this device's song, and the judgements its emulator gave, play by play
    (a play on the other emulator would not match); its emulator was touched."""
    plays = [p for p in two.sims[unit].report()["plays"] if p["counts"]]
    why = "\n".join([str(plays), str(rows), two.log(unit)])
    assert rows and all(row["device"] == SERIALS[unit] and row["song_id"] == SONG for row in rows), why
    read = [tuple(row["counts"].get(k, 0) for k in JUDGEMENTS) for row in rows]
    assert read == [tuple(p["counts"][k] for k in JUDGEMENTS) for p in plays[: len(rows)]], why
    assert any(p["touches"] > 0 for p in plays), why


def test_two_emulators_play_at_once_and_stop_apart(two: Two) -> None:
    url = two.stack.url
    devices = httpx.get(f"{url}/api/devices").json()["devices"]
    assert [(d["name"], d["unit"], d["worker"]) for d in devices] == [
        ("default", "scriptor", True),
        ("second", "scriptor@second", True),  # the worker on "another machine" serves it
    ]
    jobs = {unit: start(url, unit, "start_scriptor", CONFIG) for unit in SERIALS}
    # At the same time: a moment when both are in a song.
    deadline = time.monotonic() + 300
    while True:
        states = {u: httpx.get(f"{url}/api/{u}/state").json() for u in SERIALS}
        if all(s["fields"].get("in_play") for s in states.values()):
            break
        assert all(s["status"] == "running" for s in states.values()), states
        assert time.monotonic() < deadline, {u: two.log(u) for u in SERIALS}
        time.sleep(0.1)
    rows = {u: wait_plays(two, u, 1) for u in SERIALS}
    for unit in SERIALS:
        assert_own_plays(two, unit, rows[unit])
    # The second device's history holds only its plays, and the rows name their device.
    assert {row["device"] for row in httpx.get(f"{url}/api/scriptor/history").json()} == set(SERIALS.values())
    listed = {d["unit"]: d for d in httpx.get(f"{url}/api/devices").json()["devices"]}
    assert {u: (listed[u]["status"], listed[u]["serial"]) for u in SERIALS} == {
        u: ("running", SERIALS[u]) for u in SERIALS
    }
    # Each device's live screen, as the Scriptor tab's device switcher shows it.
    for name, unit in (("", "scriptor"), ("second", "scriptor@second")):
        shot = httpx.get(f"{url}/api/device/screen", params={"device": name}, timeout=60)
        assert shot.status_code == 200 and shot.headers["X-Device-Serial"] == SERIALS[unit], shot.text
    # Stopping the second leaves the first playing: it records another play afterwards.
    assert httpx.post(f"{url}/api/scriptor@second/stop").json()["stopping"] is True
    done = wait_state(url, "scriptor@second", lambda s: s["status"] == "stopped", 120)
    assert done["job_id"] == jobs["scriptor@second"]
    first = httpx.get(f"{url}/api/scriptor/state").json()
    assert first["status"] == "running" and first["job_id"] == jobs["scriptor"], first
    played = len(two.history("scriptor"))
    after = wait_plays(two, "scriptor", played + 1)
    assert_own_plays(two, "scriptor", after)
    httpx.post(f"{url}/api/scriptor/stop")
    wait_state(url, "scriptor", lambda s: s["status"] == "stopped", 120)
    got = {u: [p["counts"] for p in two.sims[u].report()["plays"]] for u in SERIALS}
    print(f"judgements per play: {got}")
