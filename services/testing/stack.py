"""The whole stack for tests, started the way users start it: the launcher of ``autobang up``
as a subprocess (its own redis-server, the gateway, one worker per module). By default the
workers of scriptor, workflow and ui_recognition run the test bodies of ``tests/bodies.py``
(``python -m tests.launcher``), so the platform suites do not depend on those modules'
real work; fetch and song_recognition always run their real bodies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
# The default simulated game, but leaving the data dir as the test made it (no demo songs).
TEST_SCENARIO = ROOT / "tests" / "sim-scenario.json"


# How long a started process may take to become ready (or a stopped one to end) before the
# test gives up: a bound for a hung process, not a speed goal (every wait returns as soon as
# the process is ready, and a machine busy with another suite can take a minute to import a
# worker).
READY_S = 300.0


def wait_ready(
    ready: Callable[[], bool],
    what: str,
    proc: subprocess.Popen[bytes] | None = None,
    log: Callable[[], str] | None = None,
    timeout: float = READY_S,
) -> None:
    """Poll ``ready`` until it holds; fail at once if ``proc`` exits, else after ``timeout``,
    naming ``what`` with the log's tail."""
    deadline = time.monotonic() + timeout
    while not ready():
        exited = proc is not None and proc.poll() is not None
        if exited or time.monotonic() > deadline:
            why = f"exited with {proc.returncode}" if exited and proc else f"not ready after {timeout:g} s"
            tail = f":\n{log()[-3000:]}" if log else ""
            raise RuntimeError(f"{what} {why}{tail}")
        time.sleep(0.05)


def end_process(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` and wait for the end (a loaded machine may take long to run a handler);
    only a process hung past ``READY_S`` is killed."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(READY_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Stack:
    url: str  # http://127.0.0.1:<port> (no trailing slash)
    ws_url: str  # ws://127.0.0.1:<port>/ws
    redis_url: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log_path: Path

    def info(self) -> dict[str, Any]:
        """The launcher's run file: pids of its children, URLs."""
        return dict(json.loads((self.data_dir / "run" / "launcher.json").read_text()))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = READY_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"autobang up exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                last = httpx.get(f"{self.url}/healthz", timeout=2.0).json()
                if last.get("ok") and all(last.get("workers", {}).values()):
                    return dict(last)
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.1)
        raise RuntimeError(f"stack not healthy after {timeout:g} s: {last}\n{self.log()[-3000:]}")

    def stop(self, timeout: float = 60.0) -> int:
        """Ctrl-C, as a user would; returns the launcher's exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                raise RuntimeError(
                    f"autobang up ignored Ctrl-C for {timeout:g} s:\n{self.log()[-3000:]}"
                ) from None
        return int(self.proc.returncode)


def start_stack(
    data_dir: Path,
    port: int,
    *,
    redis_url: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = READY_S,
    test_bodies: bool = True,
    entry: str = "",
) -> Stack:
    """Start ``autobang up --port port --data-dir data_dir`` (with ``test_bodies`` its test
    twin ``python -m tests.launcher``; ``entry`` names another such twin) and wait until
    the gateway and every worker report healthy. Without ``redis_url`` the launcher runs
    its own Redis."""
    data_dir.mkdir(parents=True, exist_ok=True)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    if redis_url:
        child_env["AUTOBANG_REDIS_URL"] = redis_url
    # No emulator here: device tasks get the simulated game unless a test names a device.
    child_env["AUTOBANG_DEVICE"] = f"sim:{TEST_SCENARIO}"
    child_env.update(env or {})
    log_path = data_dir.parent / f"{data_dir.name}-launcher.log"
    twin = [entry] if entry else ["tests.launcher"] if test_bodies else ["services.cli", "up"]
    launcher = [sys.executable, "-m", *twin]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [*launcher, "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    run_file = data_dir / "run" / "launcher.json"

    def launcher_log() -> str:
        return log_path.read_text(errors="replace")

    try:
        wait_ready(run_file.exists, "autobang up", proc, launcher_log, timeout)
    except RuntimeError:
        proc.kill()
        raise
    info = json.loads(run_file.read_text())
    stack = Stack(
        url=f"http://127.0.0.1:{port}",
        ws_url=f"ws://127.0.0.1:{port}/ws",
        redis_url=str(info["redis_url"]),
        data_dir=data_dir,
        proc=proc,
        log_path=log_path,
    )
    try:
        stack.wait_healthy(timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


# -- driving tasks over REST, as the dashboard does ------------------------------------------

WAIT_S = 60.0  # generous: the machine is shared; nothing in the tests asserts speed


def wait_state(
    url: str,
    module: str,
    pred: Callable[[dict[str, Any]], bool],
    timeout: float = WAIT_S,
    log: Callable[[], str] | None = None,
) -> dict[str, Any]:
    """Poll ``GET /api/{module}/state`` until ``pred`` holds; on timeout the assertion shows
    the last state (and the stack's log tail when ``log`` is given)."""
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = httpx.get(f"{url}/api/{module}/state", timeout=10).json()
        if pred(state):
            return state
        time.sleep(0.05)
    tail = f"\n{log()[-3000:]}" if log else ""
    raise AssertionError(f"{module} state never matched within {timeout:g} s: {state}{tail}")


def start(url: str, module: str, task: str, config: dict[str, Any] | None = None) -> str:
    """Start a task; returns its job id."""
    resp = httpx.post(f"{url}/api/{module}/tasks/{task}/start", json={"config": config or {}}, timeout=10)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["job_id"])
