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
    until the module is failed and a new task of it runs;
  * Redis stalled 20 s (SIGSTOP): the slowest gateway answer during the stall (goal < 3 s),
    recovery from SIGCONT until new events arrive with /healthz seeing Redis; the task must
    still be running (not declared dead);
  * junk keys: junk written into every key family of the other modules while the task runs;
    recovery until every read route answers without a 500 (and the /ws snapshot comes).
Events lost: numbers missing from the stream (and, for the gateway, from the /ws replay);
repeats are counted too. Goal: 0 lost, 0 repeated.

Then (unless ``--no-game``) a second stack with the real scriptor and the simulated game in
a repeating Free run, and for each round:
  * emulator restart mid-song: SIGKILL to the simulator mid-song; the launcher restarts it on
    its port. Recovery: until the scriptor says the device answers again; then until the next
    play is recorded;
  * emulator frozen mid-song: SIGSTOP for 5 s mid-song, then SIGCONT. Recovery: until the
    play is recorded; it must say the game froze.
Plays lost: plays the simulator judged that are not in the history (the killed play is
judged by nobody: it is said in the log, not recorded). Goal: 0 lost, back within 15 s.
"""

from __future__ import annotations

import argparse
import json
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
from services.testing.events import Events, assert_answers  # noqa: E402
from services.testing.faults import ticks  # noqa: E402
from services.testing.free_play import SCENARIO, SONG  # noqa: E402
from services.testing.simgame import prepare_data  # noqa: E402
from services.testing.stack import Stack, start_stack  # noqa: E402
from shared import keys  # noqa: E402
from shared.runtime.connection import connect  # noqa: E402

JUNK_STATE: dict[str | bytes, str] = {
    "status": "bogus",
    "prompt": "{not json",
    "fields": "[1,",
    "progress": "{not json",
}


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


def losses(seen: list[int], trimmed: bool = False) -> tuple[int, int]:
    """(missing, repeated) numbers in a tick sequence that should be 0..max; from its first
    number when the stream was trimmed (it keeps the newest AUTOBANG_STREAM_MAXLEN events:
    the long faults below run past it at 500 events/s)."""
    if not seen:
        return 0, 0
    lo = min(seen) if trimmed else 0
    return max(seen) + 1 - lo - len(set(seen)), len(seen) - len(set(seen))


def was_trimmed(stack: Stack) -> bool:
    info = connect(stack.redis_url).xinfo_stream(keys.events_stream("fetch"))
    return int(info.get("entries-added", 0)) > int(info.get("length", 0)) + 1000


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


def redis_stall(stack: Stack, seconds: float = 20.0) -> tuple[float, str]:
    job = start_ticker(stack)
    time.sleep(2.0)
    pid = redis_pid(stack)
    os.kill(pid, signal.SIGSTOP)
    stalled = time.monotonic()
    slowest, codes = 0.0, set()
    try:
        while time.monotonic() - stalled < seconds:
            for path in ("/healthz", "/api/fetch/state", "/api/modules"):
                t0 = time.monotonic()
                try:
                    codes.add(httpx.get(stack.url + path, timeout=60).status_code)
                except httpx.HTTPError:
                    codes.add(0)
                slowest = max(slowest, time.monotonic() - t0)
    finally:
        os.kill(pid, signal.SIGCONT)
    t0 = time.monotonic()
    base = len(ticks(connect(stack.redis_url)))
    until(lambda: healthy(stack) and len(ticks(connect(stack.redis_url))) > base)
    recovered = time.monotonic() - t0
    time.sleep(8.0)  # past the reconciler's grace for a lease that expired in the stall
    kept = state(stack).get("status") == "running" and state(stack).get("job_id") == job
    stop_ticker(stack)
    missing, repeated = losses(ticks(connect(stack.redis_url)), was_trimmed(stack))
    return recovered, (
        f"slowest answer during the stall {slowest:.2f} s (codes {sorted(codes)}); task "
        f"{'kept running' if kept else 'LOST'}; stream: {missing} lost, {repeated} repeated"
    )


def job_ticks(stack: Stack, job: str) -> tuple[list[int], int]:
    """The tick numbers logged by ``job``, and how many ticks of other jobs the stream holds."""
    r = connect(stack.redis_url)
    mine, others = [], 0
    for _, f in r.xrange(keys.events_stream("fetch")):
        data = json.loads(f["data"])
        if f["type"] == "log" and str(data.get("message", "")).startswith("tick "):
            if data.get("job_id") == job:
                mine.append(int(str(data["message"]).split()[1]))
            else:
                others += 1
    return mine, others


def junk_keys(stack: Stack) -> tuple[float, str]:
    job = start_ticker(stack)
    r = connect(stack.redis_url)
    t0 = time.monotonic()
    for m in ("scriptor", "workflow", "ui_recognition", "song_recognition"):
        r.delete(keys.module_state(m), keys.latest_images(m))
        r.set(keys.config_version(m), "abc")
        r.set(keys.config_key(m), "{not json")
        r.hset(keys.module_state(m), mapping=JUNK_STATE)
        r.hset(keys.latest_images(m), "kind", "{not json")
        r.xadd(keys.events_stream(m), {"type": "bogus", "ts": "x", "data": "{not json"})
    assert_answers(stack.url)
    recovered = time.monotonic() - t0
    time.sleep(1.0)
    stop_ticker(stack)
    for m in ("scriptor", "workflow", "ui_recognition", "song_recognition"):
        r.delete(keys.module_state(m), keys.latest_images(m), keys.config_key(m), keys.config_version(m))
    mine, others = job_ticks(stack, job)
    missing, repeated = losses(mine)
    return recovered, (
        f"every route answered, no 500; stream: {missing} lost, {repeated} repeated"
        f" ({others} ticks of an earlier job in the stream)"
    )


# -- the scriptor on the simulated game ---------------------------------------------------


def scriptor_logs(stack: Stack) -> list[tuple[float, str]]:
    r = connect(stack.redis_url)
    out = []
    for _, f in r.xrange(keys.events_stream("scriptor")):
        if f.get("type") == "log":
            out.append((float(f["ts"]), str(json.loads(f["data"]).get("message", ""))))
    return out


def history(stack: Stack) -> list[dict[str, object]]:
    return list(httpx.get(f"{stack.url}/api/scriptor/history", timeout=10).json())


def judged(stack: Stack) -> list[dict[str, object]]:
    path = stack.data_dir / "simulator" / "report.json"
    try:
        return list(json.loads(path.read_text())["plays"])
    except (OSError, ValueError):
        return []


def mid_song(stack: Stack) -> None:
    def playing() -> bool:
        s = httpx.get(f"{stack.url}/api/scriptor/state", timeout=10).json()
        return bool(s.get("fields", {}).get("screen") == "playing")

    until(playing, timeout=300)
    time.sleep(3.0)


def emulator_restart(stack: Stack) -> tuple[float, str]:
    rows, plays = len(history(stack)), len(judged(stack))
    mid_song(stack)
    old = int(stack.info()["children"]["simulator"])
    os.kill(old, signal.SIGKILL)
    killed, t0 = time.time(), time.monotonic()
    until(lambda: any(ts > killed and "device answers again" in m for ts, m in scriptor_logs(stack)), 120)
    back = time.monotonic() - t0
    until(lambda: len(history(stack)) > rows and len(judged(stack)) > 0, 300)
    recorded = time.monotonic() - t0
    new_plays = judged(stack)
    # The new emulator's report counts its own plays: each must be in the history.
    in_history = len(history(stack)) - rows
    lost = max(0, len(new_plays) - in_history)
    said = any(ts > killed and "its result was never shown" in m for ts, m in scriptor_logs(stack))
    return back, (
        f"next play recorded after {recorded:.1f} s; plays lost {lost}; the killed play "
        f"{'said in the log' if said else 'NOT said'} (of {plays} judged before)"
    )


def emulator_frozen(stack: Stack, seconds: float = 5.0) -> tuple[float, str]:
    rows, plays = len(history(stack)), len(judged(stack))
    mid_song(stack)
    pid = int(stack.info()["children"]["simulator"])
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)
    t0 = time.monotonic()
    until(lambda: len(history(stack)) > rows, 300)
    recorded = time.monotonic() - t0
    row = history(stack)[rows]
    until(lambda: len(judged(stack)) > plays, 60)
    lost = max(0, len(judged(stack)) - plays - (len(history(stack)) - rows))
    note = str(row.get("note", ""))
    return recorded, f"plays lost {lost}; history row note: {note or 'NONE'!r}"


def game_faults(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        prepare_data(data, [(SONG, 3)], 12.0)
        scenario = Path(tmp) / "scenario.json"
        scenario.write_text(json.dumps(SCENARIO))
        env = {"AUTOBANG_DEVICE": f"sim:{scenario}"}
        stack = start_stack(data, free_port(), env=env, test_bodies=False)
        try:
            config = {"mode": "Free", "level": "Expert", "correction_time": 0}
            httpx.post(
                f"{stack.url}/api/scriptor/tasks/start_scriptor/start", json={"config": config}, timeout=10
            )
            for name, fault in (("emulator restart", emulator_restart), ("emulator frozen", emulator_frozen)):
                for i in range(rounds):
                    seconds, detail = fault(stack)
                    print(f"{name:16s} round {i + 1}: back in {seconds:.2f} s; {detail}", flush=True)
            s = httpx.get(f"{stack.url}/api/scriptor/state", timeout=10).json()
            print(f"scriptor still {s['status']} after the game faults", flush=True)
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=["platform", "game"], default=None)
    parser.add_argument("--fault", action="append", help="only these platform faults (by name)")
    args = parser.parse_args()
    if args.only != "game":
        platform_faults(args)
    if args.only != "platform":
        game_faults(args.rounds)


def platform_faults(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"STUB_ENTRY": "tests.platform.canary:ticker", "TICK_RATE": str(args.rate)}
        stack = start_stack(Path(tmp) / "data", free_port(), env=env, entry="tests.platform.stub_up")
        try:
            print(f"faults at {args.rate} events/s, {args.rounds} rounds each")
            for name, fault in (
                ("Redis restart", redis_restart),
                ("gateway kill", gateway_kill),
                ("worker kill", worker_kill),
                ("Redis stall 20s", redis_stall),
                ("junk keys", junk_keys),
            ):
                if args.fault and name not in args.fault:
                    continue
                for i in range(args.rounds):
                    seconds, detail = fault(stack)
                    print(f"{name:14s} round {i + 1}: recovered in {seconds:.2f} s; {detail}", flush=True)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
