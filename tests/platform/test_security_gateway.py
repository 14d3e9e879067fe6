"""The gateway's access rules and limits over real HTTP/WebSocket against a real gateway
process: allowed host names (DNS rebinding), the token beyond loopback, body limits (413),
short 422 excerpts, upload caps and decoded-size caps checked before decoding."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
import redis
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from services.testing.faults import start_gateway
from services.testing.stack import end_process

pytestmark = pytest.mark.stack

SONG = "song_recognition"


@pytest.fixture(scope="module")
def db(redis_url: str) -> Iterator[str]:
    url = redis_url.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def gateway(db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("gw")
    url, proc = start_gateway(db, tmp / "data", tmp / "gw.log", {"AUTOBANG_ALLOWED_HOSTS": "autobang.lan"})
    yield url
    stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    end_process(proc)


def test_only_configured_host_names_are_answered(gateway: str) -> None:
    port = gateway.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"autobang.lan:{port}"):
        assert httpx.get(f"{gateway}/api/modules", headers={"Host": host}).status_code == 200, host
    rebound = httpx.get(f"{gateway}/api/modules", headers={"Host": f"evil.example:{port}"})
    assert rebound.status_code == 403 and "host 'evil.example' is not allowed" in rebound.json()["detail"]
    # Same-origin by the request's own Host is not enough (that is what rebinding fakes).
    post = httpx.post(
        f"{gateway}/api/fetch/stop",
        headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"},
    )
    assert post.status_code == 403
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(f"ws://127.0.0.1:{port}/ws", additional_headers={"Host": f"evil.example:{port}"})
    assert refused.value.response.status_code == 403
    cross = httpx.post(f"{gateway}/api/fetch/stop", headers={"Origin": "http://other.example"})
    assert cross.status_code == 403 and "cross-origin" in cross.json()["detail"]


def test_beyond_loopback_a_token_is_required(db: str, tmp_path: Path) -> None:
    url, proc = start_gateway(db, tmp_path / "data", tmp_path / "gw.log", host="0.0.0.0")
    try:
        token_file = tmp_path / "data" / "gateway-token"
        token = token_file.read_text().strip()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert token in (tmp_path / "gw.log").read_text()  # printed at start
        assert httpx.get(f"{url}/healthz").status_code == 200  # open: container healthchecks
        bare = httpx.get(f"{url}/api/modules")
        assert bare.status_code == 401 and "token" in bare.json()["detail"]
        assert httpx.get(f"{url}/api/modules", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert (
            httpx.get(f"{url}/api/modules", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        )
        assert httpx.get(f"{url}/api/modules", cookies={"autobang_token": token}).status_code == 200
        ws_url = url.replace("http", "ws") + "/ws"
        with pytest.raises(InvalidStatus):
            ws_connect(ws_url)
        with ws_connect(f"{ws_url}?token={token}") as ws:
            assert '"snapshot"' in str(ws.recv(timeout=10))
    finally:
        stop(proc)


def test_bodies_over_the_limit_get_413_without_being_read_whole(gateway: str) -> None:
    big = b'{"screenshot_dir": "' + b"x" * (2 << 20) + b'"}'
    sized = httpx.post(
        f"{gateway}/api/{SONG}/update_config", content=big, headers={"Content-Type": "application/json"}
    )
    assert sized.status_code == 413 and "larger than 1048576 bytes" in sized.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b'{"screenshot_dir": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    streamed = httpx.post(
        f"{gateway}/api/{SONG}/update_config", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413 and streamed.json()["detail"].startswith("request body is larger")


def test_a_422_shows_only_an_excerpt_of_bad_input(gateway: str) -> None:
    resp = httpx.put(f"{gateway}/api/{SONG}/config", json={"screenshot_dir": ["y" * 1000] * 500})
    assert resp.status_code == 422
    assert len(resp.text) < 4000, len(resp.text)
    assert any("characters)" in str(issue.get("input")) for issue in resp.json()["detail"])


def png(w: int, h: int) -> bytes:
    ok, buf = cv2.imencode(".png", np.zeros((h, w, 3), np.uint8))
    assert ok
    return bytes(buf.tobytes())


def test_uploads_are_capped_per_request_and_by_decoded_size(gateway: str) -> None:
    small = png(8, 8)
    many = [("files", (f"f{i}.png", small, "image/png")) for i in range(33)]
    resp = httpx.post(f"{gateway}/api/{SONG}/screenshots", files=many, timeout=60)
    assert resp.status_code == 413 and "at most 32 per request" in resp.json()["detail"]
    bomb = png(4096, 4096)  # a few KiB that would decode to 48 MiB
    assert len(bomb) < 1 << 20
    resp = httpx.post(f"{gateway}/api/{SONG}/screenshots", files=[("files", ("bomb.png", bomb, "image/png"))])
    assert resp.status_code == 422
    assert "4096x4096 is more than 8 Mpx decoded" in resp.json()["detail"][0]["msg"]
