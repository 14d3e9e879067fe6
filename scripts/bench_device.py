"""Capture backends measured against the simulated game (docs/performance.md, "Device").

Starts the simulator (services/simulator: its own ADB server) in this process, connects the
device layer to it as to any ADB server, and runs the same measurement as
``autobang device benchmark``: per backend, the first capture (start-up) and then
``--frames`` captures (mean, p95, max ms). Against MuMu run ``autobang device benchmark``.

    .venv/bin/python scripts/bench_device.py --frames 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
from pathlib import Path

import numpy as np

from services.simulator.emulator import Emulator
from services.simulator.game import GameView
from services.simulator.scenario import Delays, Scenario
from services.simulator.screens import ScreenView, render
from shared.device.adb import AdbDevice
from shared.device.benchmark import benchmark, table
from shared.device.factory import open_device
from shared.screens import UI_STATES
from shared.settings import Settings


def screen(view: GameView) -> np.ndarray:
    if view.state in UI_STATES:
        return render(ScreenView(state=view.state, variants=view.variants))
    return np.full((720, 1280, 3), 90, np.uint8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator(Scenario(seed=1, delays=Delays(app_start=0)), Path(tmp), renderer=screen)
        port = asyncio.run_coroutine_threadsafe(emu.start(0), loop).result(10)
        try:
            device = open_device(Settings(data_dir=Path(tmp), device=f"adb://127.0.0.1:{port}"))
            assert isinstance(device, AdbDevice)
            results = benchmark(device, frames=args.frames)
            device.close()
            print(table(results))
            print(json.dumps([r.as_dict() for r in results]))
        finally:
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0.5), loop).result(5)  # sessions end
            asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
