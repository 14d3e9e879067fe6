"""A Redis password from ``AUTOBANG_REDIS_PASSWORD_FILE`` (how compose hands it out) is used
by every client built with ``shared.runtime.connection``, against a real redis-server that
requires it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.launcher import free_port
from services.testing.stack import end_process, wait_ready
from shared.runtime.connection import connect, connect_bytes, with_password
from shared.settings import get_settings


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[str]:
    exe = shutil.which("redis-server")
    assert exe
    port = free_port()
    proc = subprocess.Popen(
        [exe, "-", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    proc.stdin.write(b"requirepass pa:ss/w@rd\n")
    proc.stdin.close()
    url = f"redis://127.0.0.1:{port}/0"

    def refuses_without_password() -> bool:  # the server is up and wants the password
        try:
            redis.Redis.from_url(url).ping()
        except redis.exceptions.AuthenticationError:
            return True
        except redis.ConnectionError:
            return False
        raise AssertionError("redis-server answered without its password")

    wait_ready(refuses_without_password, "redis-server with a password", proc)
    yield url
    end_process(proc)


def test_clients_read_the_password_file(locked: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis.from_url(locked).ping()
    secret = tmp_path / "redis-password"
    secret.write_text("pa:ss/w@rd\n")
    monkeypatch.setenv("AUTOBANG_REDIS_PASSWORD_FILE", str(secret))
    get_settings.cache_clear()
    try:
        assert connect(locked).ping() and connect_bytes(locked).ping()
    finally:
        monkeypatch.delenv("AUTOBANG_REDIS_PASSWORD_FILE")
        get_settings.cache_clear()


def test_a_url_keeps_its_own_password() -> None:
    assert with_password("redis://h:1/0", "a b") == "redis://default:a%20b@h:1/0"
    assert with_password("redis://:x@h:1/0", "y") == "redis://:x@h:1/0"
    assert with_password("redis://h:1/0", "") == "redis://h:1/0"
