"""What the gateway and the launcher leave open: the token never in the access log (REST
and WebSocket), no Swagger/ReDoc pages (they load a CDN script onto the token's origin),
the OpenAPI document behind the token beyond loopback, and the data dir and Redis's AOF
readable by their user only; a connection that sends no request head within 10 s is closed."""

from __future__ import annotations

import socket
import stat
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect as ws_connect

from services.gateway.http_timeouts import HEAD_TIMEOUT_S
from services.testing.faults import RedisServer, start_gateway
from services.testing.stack import Stack, end_process

pytestmark = pytest.mark.stack


@pytest.fixture
def redis_db(tmp_path: Path) -> RedisServer:
    server = RedisServer(tmp_path / "redis")
    server.start()
    return server


def test_the_token_stays_out_of_the_log_and_the_schema_behind_it(
    redis_db: RedisServer, tmp_path: Path
) -> None:
    log = tmp_path / "gw.log"
    url, proc = start_gateway(
        redis_db.url, tmp_path / "data", log, host="0.0.0.0", env={"AUTOBANG_LOG_LEVEL": "info"}
    )
    try:
        token = (tmp_path / "data" / "gateway-token").read_text().strip()
        before = log.read_text().count(token)  # printed once at start, on purpose
        assert httpx.get(f"{url}/api/modules?token={token}").status_code == 200
        with ws_connect(url.replace("http", "ws") + f"/ws?token={token}", open_timeout=30) as ws:
            ws.recv(timeout=30)
        assert httpx.get(f"{url}/openapi.json").status_code == 401
        assert httpx.get(f"{url}/openapi.json?token={token}").status_code == 200
        for page in ("/docs", "/redoc"):
            resp = httpx.get(f"{url}{page}?token={token}")
            assert "swagger-ui" not in resp.text and "redoc.standalone" not in resp.text, page
    finally:
        end_process(proc)
        redis_db.stop()
    text = log.read_text()
    assert text.count(token) == before, text[-2000:]
    assert "token=***" in text  # the request lines are there, the token is not


def test_the_data_dir_and_the_aof_are_private(stack: Stack) -> None:
    assert stat.S_IMODE(stack.data_dir.stat().st_mode) == 0o700
    redis_dir = stack.data_dir / "redis"
    assert stat.S_IMODE(redis_dir.stat().st_mode) == 0o700
    aof = [p for p in redis_dir.rglob("*") if p.is_file() and ".aof" in p.name]
    assert aof, list(redis_dir.rglob("*"))
    for p in aof:
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, (p, oct(p.stat().st_mode))


def test_idle_and_slow_header_connections_are_closed(redis_db: RedisServer, tmp_path: Path) -> None:
    url, proc = start_gateway(redis_db.url, tmp_path / "data", tmp_path / "gw.log")
    port = int(url.rsplit(":", 1)[1])
    try:
        ws = ws_connect(url.replace("http", "ws") + "/ws", open_timeout=30).__enter__()
        ws.recv(timeout=30)  # the snapshot
        idle = socket.create_connection(("127.0.0.1", port), timeout=60)
        slow = socket.create_connection(("127.0.0.1", port), timeout=60)
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # and never the rest
        t0 = time.monotonic()
        assert idle.recv(1024) == b"" and slow.recv(1024) == b""  # closed by the gateway
        took = time.monotonic() - t0
        assert took < HEAD_TIMEOUT_S + 10, took
        # A WebSocket and an answered keep-alive client are not touched by the deadline.
        ws.ping().wait(30)
        assert httpx.get(f"{url}/healthz").status_code == 200
        ws.close()
    finally:
        end_process(proc)
        redis_db.stop()
