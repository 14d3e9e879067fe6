"""Touch latency of each multitouch option against the simulated game (docs/performance.md,
"Touch latency").

Starts the simulator in this process (its own ADB server and touch servers on a loop
thread), connects the device layer to it as to any emulator, and for each option the
device layer can use measures: the set-up (the first ``touch_url()``: forward, and for the
pushed minitouch the ABI look-up, push, start and header) and then ``--touches``
down+commit -> arrival at the simulator (``time.monotonic`` on both sides), p50/p95/max
ms. ``input tap`` (one ADB shell command per tap: what the menus use) is measured the same
way for comparison. The options are the device layer's order of preference:

    .venv/bin/python scripts/bench_touch.py --touches 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from services.simulator.emulator import Emulator
from services.simulator.scenario import Delays, Scenario
from services.simulator.touch_server import Commit
from shared.device.adb import AdbDevice
from shared.device.benchmark import percentile
from shared.device.factory import open_device
from shared.settings import Settings

# (name, scenario touch_preinstalled, AUTOBANG_TOUCH)
OPTIONS = (
    ("bangcheater (running)", True, "bangcheater"),
    ("minitouch (running)", True, "minitouch"),
    ("minitouch (pushed and started)", False, "auto"),
)


class Arrivals:
    """The simulator's commits as they arrive (stamped on its monotonic clock)."""

    def __init__(self, emu: Emulator) -> None:
        self.commits: list[Commit] = []
        self.cond = threading.Condition()
        original = emu.game.commit

        def sink(c: Commit) -> None:
            with self.cond:
                self.commits.append(c)
                self.cond.notify_all()
            original(c)

        emu.game.commit = sink  # type: ignore[method-assign]

    def wait(self, count: int, timeout: float = 5.0) -> Commit:
        """The ``count``-th commit (1-based) once it has arrived."""
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.commits) >= count, timeout):
                raise RuntimeError("no commit arrived")
            return self.commits[count - 1]


def summary(name: str, setup_ms: float, times: list[float]) -> dict[str, Any]:
    return {
        "option": name,
        "setup_ms": round(setup_ms, 1),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "n": len(times),
    }


def measure(
    option: tuple[str, bool, str], touches: int, loop: asyncio.AbstractEventLoop
) -> list[dict[str, Any]]:
    name, preinstalled, touch = option
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Scenario(
            seed=1, delays=Delays(app_start=0), touch_preinstalled=preinstalled, game_running=False
        )
        emu = Emulator(scenario, Path(tmp))
        port = asyncio.run_coroutine_threadsafe(emu.start(0), loop).result(10)
        try:
            device = open_device(Settings(data_dir=Path(tmp), device=f"adb://127.0.0.1:{port}", touch=touch))
            assert isinstance(device, AdbDevice)
            arrivals = Arrivals(emu)
            t0 = time.perf_counter()
            url = device.touch_url()
            setup_ms = (time.perf_counter() - t0) * 1000
            channel = device.touch()
            times: list[float] = []
            for i in range(touches):
                x = 100 + (i % 10) * 100
                sent = time.monotonic()
                channel.down(0, x, 400)
                channel.commit()
                times.append((arrivals.wait(2 * i + 1).t - sent) * 1000)
                channel.up(0)
                channel.commit()
                arrivals.wait(2 * i + 2)
            channel.close()
            out.append(summary(f"{name}: {url.split('?')[0].split(':')[0]}", setup_ms, times))
            if preinstalled and touch == "bangcheater":  # once: input tap through the shell
                taps: list[float] = []
                for _ in range(max(10, touches // 10)):
                    n = len(arrivals.commits)
                    sent = time.monotonic()
                    device.tap(640, 400)
                    taps.append((arrivals.wait(n + 1).t - sent) * 1000)
                    arrivals.wait(n + 2)
                out.append(summary("input tap (adb shell, menus only)", 0.0, taps))
            device.close()
        finally:
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0.3), loop).result(5)
            asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touches", type=int, default=200)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    rows: list[dict[str, Any]] = []
    try:
        for option in OPTIONS:
            rows.extend(measure(option, args.touches, loop))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    print(f"{'option':44} {'setup ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for r in rows:
        print(f"{r['option']:44} {r['setup_ms']:>9} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8}")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
