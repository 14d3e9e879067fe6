"""The gateway across a Redis restart (a real redis-server restarted on the same port): 503
with JSON while it is away, then the first ``?since=`` reconnect replays (no dead pooled
connection), and live events flow again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.testing.events import Events
from services.testing.faults import RedisServer, start_gateway, wait_until
from services.testing.stack import ROOT, end_process
from shared import keys
from shared.runtime.connection import connect

pytestmark = pytest.mark.stack


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[RedisServer, str]]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    url, proc = start_gateway(server.url, tmp_path / "data", tmp_path / "gw.log")
    try:
        yield server, url
    finally:
        end_process(proc)
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


def log_event(server: RedisServer, n: int) -> str:
    data = json.dumps({"level": "info", "message": f"line {n}"})
    fields = {"type": "log", "ts": f"{time.time():.6f}", "data": data}
    return str(connect(server.url).xadd(keys.events_stream("fetch"), fields))


def test_503_while_redis_is_away_then_replay_on_the_first_reconnect(setup: tuple[RedisServer, str]) -> None:
    server, url = setup
    first = log_event(server, 0)
    later = [log_event(server, n) for n in range(1, 4)]
    assert httpx.get(f"{url}/api/fetch/state").status_code == 200
    server.stop()
    try:
        down = httpx.get(f"{url}/api/fetch/state", timeout=30)
        assert down.status_code == 503 and "Redis is unreachable" in down.json()["detail"]
        assert httpx.get(f"{url}/healthz", timeout=30).json()["redis"] is False
    finally:
        server.start()
    # The first reconnect after the restart replays exactly what follows its cursor.
    events = Events(url.replace("http", "ws") + "/ws", since=f"fetch:{first}")
    try:
        events.wait_for(lambda e: e.get("id") == later[-1])
        assert [e["id"] for e in events.events("fetch")][:3] == later
        live = log_event(server, 4)  # and the hub reads live events again
        events.wait_for(lambda e: e.get("id") == live)
    finally:
        events.close()
    wait_until(lambda: httpx.get(f"{url}/healthz").json()["redis"] is True, what="healthy again")


def test_a_stream_cap_below_the_socket_queue_is_refused(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
        env.update(
            {
                "AUTOBANG_REDIS_URL": server.url,
                "AUTOBANG_DATA_DIR": str(tmp_path),
                "AUTOBANG_WS_QUEUE_MAX": "20000",
                "AUTOBANG_STREAM_MAXLEN": "10000",
            }
        )
        out = subprocess.run(
            [sys.executable, "-m", "services.cli", "openapi"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.returncode != 0 and "AUTOBANG_WS_QUEUE_MAX (20000) must be below" in out.stderr
    finally:
        server.stop()
