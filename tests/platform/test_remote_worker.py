"""A worker on another machine: ``autobang worker scriptor --redis URL --device
adb://HOST:PORT`` checks the Redis URL (password included) and the device before serving,
refuses in words that say what to fix, and then serves the product's Redis like any worker:
here a separate process with its own Redis password and a simulated emulator on its own
port plays a song started through the injection script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.cli import main
from services.remote_worker import Refused, check_device, check_redis
from services.testing.simgame import Simulator, prepare_data
from services.testing.stack import READY_S, end_process, wait_ready
from shared import keys
from shared.play_history import history_path
from shared.runtime.control import start_task
from shared.runtime.state import read_state
from shared.settings import Settings, get_settings
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.stack

PASSWORD = "s3cret-for-the-test"
SONG = 316


@pytest.fixture(scope="module")
def locked_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server with a password, as the product's (``redis://:PASSWORD@...``)."""
    exe = shutil.which("redis-server")
    assert exe is not None, "redis-server is not installed"
    port = free_port()
    workdir = tmp_path_factory.mktemp("locked-redis")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir),
         "--requirepass", PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_ready(answers, "redis-server", proc)
    yield url
    end_process(proc)


@pytest.fixture(autouse=True)
def own_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main`` passes its options on as AUTOBANG_*: each test gets them back as they were."""
    for name in ("REDIS_URL", "REDIS_PASSWORD_FILE", "DEVICE", "DATA_DIR"):
        monkeypatch.delenv(f"AUTOBANG_{name}", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_wrong_redis_url_or_password_is_refused_with_what_to_do(
    locked_redis: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check_redis(locked_redis).startswith("127.0.0.1:")
    bare = locked_redis.replace(f":{PASSWORD}@", "")
    with pytest.raises(Refused, match=r"needs a password: put it in the URL .*--redis-password-file"):
        check_redis(bare)
    with pytest.raises(Refused, match="refused the password"):
        check_redis(locked_redis.replace(PASSWORD, "wrong"))
    with pytest.raises(Refused, match="is not a Redis URL: expected redis://"):
        check_redis("http://example:6379")
    with pytest.raises(Refused, match=r"no Redis answers at 127\.0\.0\.1:\d+ .*reachable from here"):
        check_redis(f"redis://127.0.0.1:{free_port()}/0")
    # The password from a file, when the URL has none (as compose passes it).
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    monkeypatch.setenv("AUTOBANG_REDIS_PASSWORD_FILE", str(secret))
    get_settings.cache_clear()
    assert check_redis(bare).startswith("127.0.0.1:")


def test_a_wrong_device_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(Refused, match=r"a worker on another machine serves .* adb://HOST:PORT"):
        check_device("scriptor", Settings(data_dir=tmp_path, device="sim"))
    with pytest.raises(Refused, match=r"--device adb://127\.0\.0\.1:\d+: no ADB server at"):
        check_device("scriptor", Settings(data_dir=tmp_path, device=f"adb://127.0.0.1:{free_port()}"))
    with pytest.raises(Refused, match="fetch has no task that uses the device"):
        check_device("fetch", Settings(data_dir=tmp_path, device="adb://127.0.0.1:5037"))


def test_the_cli_refuses_before_serving(locked_redis: str, capsys: pytest.CaptureFixture[str]) -> None:
    bare = locked_redis.replace(f":{PASSWORD}@", "")
    assert main(["worker", "scriptor", "--redis", bare, "--device", "adb://127.0.0.1:1"]) == 2
    assert "needs a password" in capsys.readouterr().err
    port = free_port()
    assert main(["worker", "scriptor", "--redis", locked_redis, "--device", f"adb://127.0.0.1:{port}"]) == 2
    assert f"--device adb://127.0.0.1:{port}: no ADB server" in capsys.readouterr().err


def test_a_worker_on_another_machine_serves_its_device(locked_redis: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    prepare_data(data, [(SONG, 3)], 4.0)
    sim_port = free_port()
    sim = Simulator({"mode": "Free", "songs": [SONG], "display": [1600, 900]}, sim_port, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker", "scriptor", "--redis", locked_redis,
         "--device", f"adb://127.0.0.1:{sim_port}", "--data-dir", str(data)],
        cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    r = redis.Redis.from_url(locked_redis, decode_responses=True)
    try:
        said = ""
        deadline = time.monotonic() + READY_S
        # Serving: the device answered, and the worker's heartbeat is in the product's Redis.
        while "serving the device emulator-5554" not in said or not r.exists(
            keys.worker_heartbeat("scriptor")
        ):
            assert worker.poll() is None and time.monotonic() < deadline, said
            time.sleep(0.1)
            said = (tmp_path / "worker.log").read_text(errors="replace")
        job = start_task(
            r, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "is_repeat": False}
        )
        deadline = time.monotonic() + 240
        while (state := read_state(r, "scriptor")).get("status") not in ("finished", "failed"):
            assert worker.poll() is None and time.monotonic() < deadline, (state, said)
            time.sleep(0.2)
        assert state["job_id"] == job and state["status"] == "finished", state
        rows = history_path(data).read_text().splitlines()
        assert len(rows) == 1 and json.loads(rows[0])["song_id"] == SONG, rows  # in the shared data dir
        assert sim.report()["plays"][-1]["touches"] > 0
    finally:
        end_process(worker)
        log.close()
        sim.stop()
