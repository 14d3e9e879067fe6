#!/usr/bin/env python
"""Platform benchmark: prints the numbers docs/performance.md records.

  .venv/bin/python scripts/bench_platform.py [--events 20000] [--clients 10] [--rounds 20] [--rates 1000 3000]

Starts its own redis-server, the gateway, the scriptor worker and a benchmark worker
(the ``fetch`` queue with a task body that only emits events; the registry is patched in
that process alone), all on loopback, then measures:
  * events/s from one task to N WebSocket clients, and p50/p99 latency from ``log()`` to
    receipt (the event's ``ts`` is taken inside ``log()``; one machine, one clock): once as
    a burst (as fast as the task can log), then paced at each ``--rates`` value;
  * start latency: POST .../start -> the ``running`` state event arrives on /ws;
  * cooperative stop latency: POST .../stop -> the ``stopped`` state event arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.launcher import free_port  # noqa: E402


def bench_events(ctx: object) -> None:
    """Task body of the benchmark worker: ``events`` log events from bench.json in the data
    dir, as fast as possible (rate 0) or paced at ``rate`` per second."""
    spec = json.loads((ctx.data_dir / "bench.json").read_text())  # type: ignore[attr-defined]
    n, rate = int(spec["events"]), float(spec["rate"])
    t0 = time.perf_counter()
    for i in range(n):
        if rate:
            ahead = t0 + i / rate - time.perf_counter()
            if ahead > 0.001:
                time.sleep(ahead)
        ctx.log(f"bench {i}")  # type: ignore[attr-defined]
    ctx.log("bench done")  # type: ignore[attr-defined]


def bench_worker() -> None:
    import shared.modules as registry
    from shared.runtime.worker import run_worker

    registry.MODULES = tuple(
        dataclasses.replace(
            m, tasks=(dataclasses.replace(m.tasks[0], entry="scripts.bench_platform:bench_events"),)
        )
        if m.name == "fetch"
        else m
        for m in registry.MODULES
    )
    sys.modules.setdefault("scripts.bench_platform", sys.modules[__name__])
    run_worker("fetch")


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """user+system CPU seconds each process (and its reaped children) has used so far, and
    ``machine``: all CPUs busy, every process included (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    out: dict[str, float] = {"machine": (sum(map(int, busy)) - int(busy[3]) - int(busy[4])) / tick}
    for name, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = sum(int(f) for f in fields[11:15]) / tick
    return out


PIDS: dict[str, int] = {"clients": os.getpid()}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def throughput(
    ws_url: str,
    http: str,
    data_dir: Path,
    events: int,
    clients: int,
    rate: float = 0.0,
    batch: bool = False,
    compression: str | None = "deflate",
) -> dict[str, object]:
    (data_dir / "bench.json").write_text(json.dumps({"events": events, "rate": rate}))
    url = f"{ws_url}?batch=1" if batch else ws_url
    socks = [
        await websockets.connect(url, max_size=None, max_queue=None, compression=compression)
        for _ in range(clients)
    ]
    for s in socks:
        json.loads(await s.recv())  # snapshot
    latencies: list[float] = []
    first_ts: list[float] = []
    done_at: list[float] = []
    slow: list[int] = []

    counts: list[int] = []
    marker = '"module":"fetch","type":"log"'  # how the gateway writes a fetch log event

    async def read(sock: websockets.ClientConnection, keep: bool) -> None:
        """Client 0 parses every frame and times each event; the others only count the
        fetch log events in each frame (a substring count, not a JSON parse), so the
        clients' CPU, which shares the 2 cores with the gateway, stays small."""
        seen = 0
        while True:
            try:
                raw = await sock.recv()
            except websockets.ConnectionClosed:
                slow.append(1)  # closed as too slow (4008): could not keep up at this rate
                return
            now = time.time()
            if not keep:
                assert isinstance(raw, str)
                end = raw.find('"bench done"')
                seen += raw.count(marker, 0, None if end < 0 else end)  # up to the last one
                if end >= 0:
                    done_at.append(now)
                    counts.append(seen)
                    return
                continue
            frame = json.loads(raw)
            for msg in frame if isinstance(frame, list) else [frame]:
                if msg.get("module") != "fetch" or msg.get("type") != "log":
                    continue
                if not first_ts:
                    first_ts.append(msg["ts"])
                latencies.append(now - msg["ts"])
                seen += 1
                if msg["data"]["message"] == "bench done":
                    done_at.append(now)
                    counts.append(seen)
                    return

    readers = [asyncio.create_task(read(s, i == 0)) for i, s in enumerate(socks)]
    cpu0 = cpu_seconds(PIDS)
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{http}/api/fetch/tasks/fetch/start")
        resp.raise_for_status()
    await asyncio.wait_for(asyncio.gather(*readers), timeout=600)
    cpu = {k: round(v - cpu0.get(k, 0.0), 2) for k, v in cpu_seconds(PIDS).items()}
    for s in socks:
        await s.close()
    if not done_at:
        return {
            "events": events + 1,
            "clients": clients,
            "paced_rate": rate,
            "batch_frames": batch,
            "closed_as_slow": len(slow),
            "cpu_s": cpu,
        }
    span = max(done_at) - first_ts[0]
    total = (events + 1) * len(done_at)
    return {
        "events": events + 1,
        "clients": clients,
        "paced_rate": rate,
        "batch_frames": batch,
        "closed_as_slow": len(slow),
        "seconds": span,
        "events_per_s_per_client": (events + 1) / span,
        "deliveries_per_s": total / span,
        "p50_ms": pct(latencies, 50) * 1000 if latencies else -1,
        "p99_ms": pct(latencies, 99) * 1000 if latencies else -1,
        # fetch log events each client got (the task's events plus the runtime's own lines):
        # min == max, every client got them all
        "received_min_max": [min(counts), max(counts)],
        "cpu_s": cpu,  # CPU seconds each process used during the run (2 cores: 2 per second)
    }


async def start_stop(ws_url: str, http: str, rounds: int) -> dict[str, float]:
    starts: list[float] = []
    stops: list[float] = []
    async with websockets.connect(ws_url, max_size=None) as sock, httpx.AsyncClient() as client:
        await sock.recv()

        async def until(status: str, job: str) -> float:
            while True:
                msg = json.loads(await sock.recv())
                d = msg.get("data", {})
                if msg.get("type") == "state" and d.get("job_id") == job and d.get("status") == status:
                    return time.perf_counter()

        for _ in range(rounds):
            t0 = time.perf_counter()
            resp = await client.post(f"{http}/api/scriptor/tasks/start_scriptor/start")
            job = resp.json()["job_id"]
            starts.append(await asyncio.wait_for(until("running", job), 30) - t0)
            await asyncio.sleep(0.3)
            t1 = time.perf_counter()
            await client.post(f"{http}/api/scriptor/stop")
            stops.append(await asyncio.wait_for(until("stopped", job), 30) - t1)
    return {
        "rounds": rounds,
        "start_p50_ms": statistics.median(starts) * 1000,
        "start_max_ms": max(starts) * 1000,
        "stop_p50_ms": statistics.median(stops) * 1000,
        "stop_max_ms": max(stops) * 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--rates", type=float, nargs="*", default=[1000, 3000], help="paced runs, events/s")
    ap.add_argument(
        "--forms",
        nargs="*",
        choices=["single", "batch"],
        default=["single", "batch"],
        help="/ws forms: one event per frame, and ?batch=1 arrays",
    )
    ap.add_argument("--no-burst", dest="burst", action="store_false", help="paced runs only")
    ap.add_argument("--seconds", type=float, default=3.0, help="length of each paced run")
    ap.add_argument(
        "--compression",
        choices=["deflate", "none"],
        default="deflate",
        help="what the clients offer: browsers always offer permessage-deflate",
    )
    ap.add_argument("--bench-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bench_worker:
        bench_worker()
        return
    tmp = Path(tempfile.mkdtemp(prefix="autobang-bench-"))
    rport, port = free_port(), free_port()
    procs: list[subprocess.Popen[bytes]] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update(
        {
            "AUTOBANG_REDIS_URL": f"redis://127.0.0.1:{rport}/0",
            "AUTOBANG_DATA_DIR": str(tmp),
            "AUTOBANG_PORT": str(port),
            "AUTOBANG_LOG_LEVEL": "warning",
            "AUTOBANG_STREAM_MAXLEN": str(max(10_000, args.events * 2)),
        }
    )
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        procs.append(
            subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(rport),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "yes",
                    "--dir",
                    str(tmp),
                ],
                **quiet,
            )
        )
        time.sleep(0.3)
        py = sys.executable
        procs.append(subprocess.Popen([py, "-m", "services.cli", "gateway"], cwd=ROOT, env=env, **quiet))
        PIDS.update(redis=procs[0].pid, gateway=procs[1].pid)
        procs.append(
            subprocess.Popen([py, "-m", "services.cli", "worker", "scriptor"], cwd=ROOT, env=env, **quiet)
        )
        procs.append(
            subprocess.Popen([py, str(Path(__file__)), "--bench-worker"], cwd=ROOT, env=env, **quiet)
        )
        PIDS["worker"] = procs[-1].pid  # the task runs in its fork: counted once the job is reaped
        http, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                h = httpx.get(f"{http}/healthz", timeout=1).json()
                if h["workers"]["scriptor"] and h["workers"]["fetch"]:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("stack did not come up")
        result: dict[str, object] = {"cpus": os.cpu_count(), "load_avg_1m": os.getloadavg()[0]}
        comp = None if args.compression == "none" else "deflate"
        result["compression"] = args.compression
        forms = {"single": False, "batch": True}
        for form in args.forms:
            batch = forms[form]
            suffix = "_batch_frames" if batch else ""
            if args.burst:
                result[f"burst{suffix}"] = asyncio.run(
                    throughput(ws_url, http, tmp, args.events, args.clients, batch=batch, compression=comp)
                )
            for i, rate in enumerate(args.rates):
                n = max(1000, int(rate * args.seconds))
                again = f"_{i}" if args.rates.count(rate) > 1 else ""  # --rates 20000 20000: repeats
                result[f"paced_{rate:g}{suffix}{again}"] = asyncio.run(
                    throughput(ws_url, http, tmp, n, args.clients, rate, batch=batch, compression=comp)
                )
        if args.rounds:
            result["control"] = asyncio.run(start_stop(ws_url, http, args.rounds))
        result["load_avg_1m_after"] = os.getloadavg()[0]
        print(json.dumps(result, indent=2))
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
