"""``autobang simulator``: the simulated emulator as a process (ADB server + touch servers).

Prints one line the launcher and tests read (``SIMULATOR {json}`` with the ports and
the serial), then serves until SIGINT/SIGTERM, writing the report on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path

from services.simulator.demo import seed_data_dir
from services.simulator.emulator import Emulator
from services.simulator.scenario import Scenario

READY_PREFIX = "SIMULATOR "


async def serve(scenario: Scenario, port: int, data_dir: Path, host: str = "127.0.0.1") -> None:
    added = seed_data_dir(scenario, data_dir)
    if added:
        print(f"[simulator] the simulated songs for the product: {', '.join(added)}", flush=True)
    emu = Emulator(scenario, data_dir)
    await emu.start(port, host)
    info = {"serial": emu.serial, **emu.ports(), "report": str(emu.report.path)}
    print(
        f"[simulator] ADB server on {host}:{emu.adb.port} (serial {emu.serial}); touch servers: "
        f"minitouch 127.0.0.1:{emu.touch.minitouch_port} (device tcp:{scenario.touch.minitouch_port}), "
        f"bangcheater 127.0.0.1:{emu.touch.bangcheater_port} (device tcp:{scenario.touch.bangcheater_port})",
        flush=True,
    )
    print(READY_PREFIX + json.dumps(info), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.close()
        print(f"[simulator] stopped; report at {emu.report.path}", flush=True)


def run(scenario: Scenario, port: int, data_dir: Path, host: str = "127.0.0.1") -> int:
    asyncio.run(serve(scenario, port, data_dir, host))
    return 0
