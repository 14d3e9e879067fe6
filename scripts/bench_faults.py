#!/usr/bin/env python
"""Fault benchmark: prints the numbers docs/performance.md records.

  .venv/bin/python scripts/bench_faults.py [--rate 500] [--rounds 2]

Runs ``autobang up`` (embedded Redis, the real launcher and gateway; the fetch worker runs
a test-only body that logs numbered events at ``--rate`` events/s: tests/platform/canary.py)
and, for each fault, while the task runs:
  * Redis restart: SIGTERM to the embedded redis-server (it flushes its AOF); the launcher
    restarts it on the same port. Recovery: until /healthz sees Redis and new events reach
    the stream again;
  * gateway kill: SIGKILL to the gateway; the launcher restarts it. Recovery: until /healthz
    answers; then a /ws client with the cursor from before the kill replays;
  * worker kill: SIGKILL to the worker's main process (its horse is orphaned). Recovery:
    until the module is failed and a new task of it runs.
Events lost: numbers missing from the stream (and, for the gateway, from the /ws replay);
repeats are counted too. Goal: 0 lost, 0 repeated.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.launcher import children_of, free_port  # noqa: E402
from services.testing.events import Events  # noqa: E402
from services.testing.faults import ticks  # noqa: E402
from services.testing.stack import Stack, start_stack  # noqa: E402
from shared import keys  # noqa: E402
from shared.runtime.connection import connect  # noqa: E402


def until(pred: Callable[[], bool], timeout: float = 120.0) -> float:
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            raise RuntimeError("no recovery within the timeout")
        time.sleep(0.02)
    return time.monotonic() - t0


def healthy(stack: Stack, redis_too: bool = True) -> bool:
    try:
        h = httpx.get(f"{stack.url}/healthz", timeout=1).json()
    except httpx.HTTPError:
        return False
    return bool(h.get("redis")) if redis_too else True


def state(stack: Stack) -> dict[str, object]:
    try:
        return dict(httpx.get(f"{stack.url}/api/fetch/state", timeout=5).json())
    except (httpx.HTTPError, ValueError):
        return {}


def start_ticker(stack: Stack) -> str:
    r = connect(stack.redis_url)
    r.xtrim(keys.events_stream("fetch"), maxlen=0)
    job = httpx.post(f"{stack.url}/api/fetch/tasks/fetch/start", json={"config": {}}, timeout=10).json()[
        "job_id"
    ]
    until(lambda: state(stack).get("status") == "running")
    until(lambda: len(ticks(connect(stack.redis_url))) > 0)
    return str(job)


def stop_ticker(stack: Stack) -> None:
    httpx.post(f"{stack.url}/api/fetch/stop", timeout=10)
    until(lambda: state(stack).get("status") not in ("queued", "running", "stopping"))


def losses(seen: list[int]) -> tuple[int, int]:
    """(missing, repeated) numbers in a tick sequence that should be 0..max."""
    if not seen:
        return 0, 0
    return max(seen) + 1 - len(set(seen)), len(seen) - len(set(seen))


def redis_pid(stack: Stack) -> int:
    port = stack.redis_url.rsplit(":", 1)[1].split("/")[0]
    for pid in children_of(stack.proc.pid):
        try:
            if f":{port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise RuntimeError("no redis-server")


def redis_restart(stack: Stack) -> tuple[float, str]:
    start_ticker(stack)
    time.sleep(2.0)
    os.kill(redis_pid(stack), signal.SIGTERM)
    time.sleep(0.2)
    t0 = time.monotonic()
    until(lambda: not healthy(stack))  # noticed it went away (or already back)
    base = len(ticks(connect(stack.redis_url))) if healthy(stack) else 0
    until(lambda: healthy(stack) and len(ticks(connect(stack.redis_url))) > base)
    recovered = time.monotonic() - t0 + 0.2
    time.sleep(2.0)
    stop_ticker(stack)
    missing, repeated = losses(ticks(connect(stack.redis_url)))
    return recovered, f"stream: {missing} lost, {repeated} repeated"


def gateway_kill(stack: Stack) -> tuple[float, str]:
    start_ticker(stack)
    time.sleep(2.0)
    r = connect(stack.redis_url)
    os.kill(int(stack.info()["children"]["gateway"]), signal.SIGKILL)
    t0 = time.monotonic()
    until(lambda: not healthy(stack, redis_too=False))
    until(lambda: healthy(stack))
    recovered = time.monotonic() - t0
    time.sleep(2.0)
    stop_ticker(stack)
    stream = ticks(r)
    replay = Events(stack.ws_url, since="fetch:0-0", batch=True)  # the stream began with this run
    try:
        last = str(r.xrevrange(keys.events_stream("fetch"), count=1)[0][0])
        replay.wait_for(lambda e: e.get("id") == last, timeout=60)
        got = [
            int(str(e["data"]["message"]).split()[1])
            for e in replay.events("fetch")
            if e["type"] == "log" and str(e["data"].get("message", "")).startswith("tick ")
        ]
    finally:
        replay.close()
    s_missing, s_rep = losses(stream)
    w_missing, w_rep = losses(got)
    return (
        recovered,
        f"stream: {s_missing} lost, {s_rep} repeated; /ws replay: {w_missing} lost, {w_rep} repeated",
    )


def worker_kill(stack: Stack) -> tuple[float, str]:
    job = start_ticker(stack)
    time.sleep(2.0)
    os.kill(int(stack.info()["children"]["worker:fetch"]), signal.SIGKILL)
    t0 = time.monotonic()
    until(lambda: state(stack).get("status") == "failed" and state(stack).get("job_id") == job)
    freed = time.monotonic() - t0
    until(lambda: healthy(stack) and all(httpx.get(f"{stack.url}/healthz").json()["workers"].values()))
    missing, repeated = losses(ticks(connect(stack.redis_url)))
    start_ticker(stack)
    usable = time.monotonic() - t0
    stop_ticker(stack)
    return usable, f"module failed after {freed:.1f} s; stream: {missing} lost, {repeated} repeated"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"STUB_ENTRY": "tests.platform.canary:ticker", "TICK_RATE": str(args.rate)}
        stack = start_stack(Path(tmp) / "data", free_port(), env=env, entry="tests.platform.stub_up")
        try:
            print(f"faults at {args.rate} events/s, {args.rounds} rounds each")
            for name, fault in (
                ("Redis restart", redis_restart),
                ("gateway kill", gateway_kill),
                ("worker kill", worker_kill),
            ):
                for i in range(args.rounds):
                    seconds, detail = fault(stack)
                    print(f"{name:14s} round {i + 1}: recovered in {seconds:.2f} s; {detail}", flush=True)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
