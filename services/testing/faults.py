"""Fault injection with real processes: a redis-server (AOF on) that can be restarted on
the same port or stalled (SIGSTOP), and a ``fetch`` worker running a test-only body
(``tests.platform.stubborn`` with ``STUB_ENTRY``). Used by the reliability tests and by
``scripts/bench_faults.py``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis

from services.launcher import free_port
from services.testing.stack import READY_S, wait_ready
from shared import keys
from shared.runtime.connection import TextRedis, connect

ROOT = Path(__file__).resolve().parent.parent.parent


class RedisServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "redis-server is not installed"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                exe,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)),
                *("--appendonly", "yes", "--appendfsync", "everysec", "--save", ""),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except (redis.ConnectionError, redis.exceptions.BusyLoadingError):
                return False

        wait_ready(answers, "redis-server", self.proc)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: Redis flushes its AOF and exits (a restart loses nothing)."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(30)

    def restart(self, down_s: float) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def stall(self, seconds: float) -> None:
        """The process stops answering (connections stay open) for ``seconds``."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            self.proc.send_signal(signal.SIGCONT)


def start_worker(url: str, data_dir: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A real ``fetch`` worker whose task is ``env["STUB_ENTRY"]``; returns once it beats."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    child_env.update({"AUTOBANG_REDIS_URL": url, "AUTOBANG_DATA_DIR": str(data_dir), **env})
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.platform.stubborn"],
            cwd=ROOT,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    r = connect(url)
    beat = keys.worker_heartbeat("fetch")
    wait_ready(lambda: bool(r.exists(beat)), "the fetch worker", proc, log.read_text)
    return proc


def end_worker(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def ticks(r: TextRedis, module: str = "fetch") -> list[int]:
    """The numbers of the ``tick <n>`` log events in the module's stream, in stream order."""
    out = []
    for _, fields in r.xrange(keys.events_stream(module)):
        data = json.loads(fields["data"])
        message = str(data.get("message", "")) if fields["type"] == "log" else ""
        if message.startswith("tick "):
            out.append(int(message.split()[1]))
    return out


def dropped_notes(r: TextRedis, module: str = "fetch") -> list[tuple[int, int]]:
    """(index among the ticks before it, count) of each dropped-events note."""
    out, seen = [], 0
    for _, fields in r.xrange(keys.events_stream(module)):
        data = json.loads(fields["data"])
        if fields["type"] != "log":
            continue
        if str(data.get("message", "")).startswith("tick "):
            seen += 1
        elif "dropped" in data:
            out.append((seen, int(data["dropped"])))
    return out


def wait_until(pred: Callable[[], bool], timeout: float = READY_S, what: str = "") -> None:
    """Poll ``pred`` until it holds; the bound is for a hang, not a speed goal."""
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"not within {timeout:g} s: {what}"
        time.sleep(0.05)


def start_gateway(
    url: str, data_dir: Path, log: Path, env: dict[str, str] | None = None, host: str = "127.0.0.1"
) -> tuple[str, subprocess.Popen[bytes]]:
    """A real gateway (``autobang gateway``) on a free port; returns its URL once it answers."""
    import httpx

    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    child_env.update(
        {
            "AUTOBANG_REDIS_URL": url,
            "AUTOBANG_DATA_DIR": str(data_dir),
            "AUTOBANG_PORT": str(port),
            "AUTOBANG_HOST": host,
            **(env or {}),
        }
    )
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "gateway"],
            cwd=ROOT,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_ready(answers, "the gateway", proc, log.read_text)
    return base, proc
