#!/usr/bin/env python
"""Several emulators benchmark: prints the numbers docs/performance.md records.

  OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_devices.py [--counts 1 2 3] [--cut 5]

One ``autobang up`` (the real launcher, gateway and workers) with a device list of three
simulated emulators (``autobang simulator`` each, 1280x720): the first served by the module
workers, the others by the scriptor workers ``autobang up`` starts for them. For each count
N, N fresh simulators and N scriptor runs started at once (one short Free play each, the
chart cut to ``--cut`` seconds), then per device: host timing of the play (the sender's
lateness, arrival - deadline, p50/p95/max, from the play's log line), the judgement and
whether it was All Perfect (the simulator's report), and the wall time of the whole round.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.launcher import free_port  # noqa: E402
from services.testing.free_play import SONG  # noqa: E402
from services.testing.simgame import Simulator, prepare_data, task_log  # noqa: E402
from services.testing.stack import start, start_stack, wait_state  # noqa: E402
from shared.config.devices import DeviceList, save_devices  # noqa: E402
from shared.modules import unit_name  # noqa: E402

NAMES = ("default", "second", "third")
LATENESS = re.compile(r"lateness p50 ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms")
CONFIG = {"mode": "Free", "level": "Expert", "is_repeat": False}


def lateness(redis_url: str, unit: str, since: float) -> tuple[float, float, float] | None:
    """The sender's lateness of the unit's play logged after ``since`` (epoch s)."""
    for line in reversed(task_log(redis_url, unit, last=200)):
        if float(line.split(" ", 1)[0]) < since:
            break
        if m := LATENESS.search(line):
            return float(m[1]), float(m[2]), float(m[3])
    return None


def round_of(
    n: int, root: Path, ports: list[int], stack_url: str, redis_url: str, cut: float, verbose: bool
) -> list[dict[str, Any]]:
    sims = []
    for i in range(n):
        own = root / f"sim{i}" / "data"
        prepare_data(own, [(SONG, 3)], cut)
        scenario = {"mode": "Free", "songs": [SONG], "serial": f"emulator-{5554 + 2 * i}", "seed": 3}
        sims.append(Simulator(scenario, ports[i], own))
    units = [unit_name("scriptor", NAMES[i] if i else "") for i in range(n)]
    try:
        since, t0 = time.time(), time.monotonic()
        for unit in units:
            start(stack_url, unit, "start_scriptor", CONFIG)
        done = [wait_state(stack_url, u, lambda s: s["status"] in ("finished", "failed"), 600) for u in units]
        wall = time.monotonic() - t0
    finally:
        for sim in sims:
            sim.stop()
    rows = []
    for unit, sim, state in zip(units, sims, done, strict=True):
        plays = sim.report()["plays"]
        if verbose:
            print("\n".join(task_log(redis_url, unit, last=40)), flush=True)
        play = plays[-1] if plays else {}
        rows.append(
            {
                "devices": n,
                "unit": unit,
                "status": state["status"],
                "lateness_ms": lateness(redis_url, unit, since),
                "counts": play.get("counts"),
                "touches": play.get("touches"),
                "all_perfect": bool(play.get("all_perfect")),
                "round_s": round(wall, 1),
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--cut", type=float, default=5.0, help="seconds of the chart played")
    parser.add_argument("--verbose", action="store_true", help="print each run's log")
    args = parser.parse_args()
    most = max(args.counts)
    if not 1 <= most <= len(NAMES):
        parser.error(f"--counts: 1..{len(NAMES)}")
    with tempfile.TemporaryDirectory(prefix="bench-devices-") as tmp:
        root = Path(tmp)
        data = root / "data"
        prepare_data(data, [(SONG, 3)], args.cut)
        ports = [free_port() for _ in range(most)]
        targets = [f"adb://127.0.0.1:{p}" for p in ports]
        devices = [{"name": NAMES[i], "target": targets[i], "kind": "simulator"} for i in range(most)]
        save_devices(data, DeviceList.model_validate({"devices": devices}))
        env = {"AUTOBANG_DEVICE": targets[0], "AUTOBANG_DEVICE_SIMULATED": "1"}
        stack = start_stack(data, free_port(), env=env, test_bodies=False)
        try:
            listed = httpx.get(f"{stack.url}/api/devices", timeout=10).json()["devices"]
            print("workers:", {d["unit"]: d["worker"] for d in listed}, flush=True)
            rows: list[dict[str, Any]] = []
            for n in args.counts:
                got = round_of(n, root, ports, stack.url, stack.redis_url, args.cut, args.verbose)
                for row in got:
                    print(json.dumps(row), flush=True)
                rows += got
        finally:
            stack.stop()
    print()
    print(f"{'devices':>7} {'unit':18} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}", end="")
    print(f" {'AP':>3} {'miss':>4} {'round s':>7}")
    for r in rows:
        late = r["lateness_ms"] or (float("nan"),) * 3
        miss = (r["counts"] or {}).get("miss", "-")
        ap = "yes" if r["all_perfect"] else "no"
        print(
            f"{r['devices']:>7} {r['unit']:18} {late[0]:>7.1f} {late[1]:>7.1f} {late[2]:>7.1f} {ap:>3} "
            f"{miss:>4} {r['round_s']:>7}"
        )
    for n in args.counts:
        mine = [r for r in rows if r["devices"] == n]
        print(f"{n} device(s) at once: All Perfect {sum(r['all_perfect'] for r in mine)}/{len(mine)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
