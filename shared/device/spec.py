"""``AUTOBANG_DEVICE`` in one place: which device a task gets.

- ``adb`` (default): the emulator at ``mumu_port`` on ``emulator_host`` through the local
  ADB server (started when none answers and ``adb`` is installed).
- ``adb://HOST:PORT[/SERIAL]``: any ADB server (a simulator started by hand, an ADB server
  on another machine); without SERIAL the only device it lists.
- ``sim[:scenario.json]``: the simulated game, which the launcher starts and hands to the
  workers as ``adb://127.0.0.1:PORT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_ADB_PORT = 5037
MUMU6_PORT = 7555
MUMU12_BASE, MUMU12_STEP = 16384, 32

FORMS = "adb, adb://HOST:PORT[/SERIAL] or sim[:scenario.json]"


@dataclass(frozen=True)
class DeviceSpec:
    kind: Literal["adb", "server", "sim"]
    text: str  # as given (for messages and DeviceInfo.spec)
    host: str = "127.0.0.1"  # the ADB server
    port: int = DEFAULT_ADB_PORT
    serial: str | None = None  # None: the only device the server lists
    scenario: Path | None = None  # sim only


def parse_spec(text: str) -> DeviceSpec:
    """Parse an ``AUTOBANG_DEVICE`` value; ``ValueError`` names the bad part and the forms."""
    value = text.strip()
    if value == "adb":
        return DeviceSpec("adb", value)
    if value == "sim" or value.startswith("sim:"):
        scenario = value[4:]
        return DeviceSpec("sim", value, scenario=Path(scenario) if scenario else None)
    if value.startswith("adb://"):
        rest = value[len("adb://") :]
        address, _, serial = rest.partition("/")
        host, sep, port_text = address.rpartition(":")
        if not sep or not host:
            raise ValueError(f"AUTOBANG_DEVICE={text!r}: the ADB server needs HOST:PORT ({FORMS})")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"AUTOBANG_DEVICE={text!r}: port {port_text!r} is not a TCP port ({FORMS})")
        return DeviceSpec("server", value, host=host, port=int(port_text), serial=serial or None)
    raise ValueError(f"AUTOBANG_DEVICE={text!r} is not a device: use {FORMS}")


def emulator_name(port: int) -> str:
    """Which MuMu listens on ``port``: 6/X on 7555, 12 on 16384 + 32 * instance."""
    if port == MUMU6_PORT:
        return "MuMu 6/X"
    if port >= MUMU12_BASE and (port - MUMU12_BASE) % MUMU12_STEP == 0:
        return f"MuMu 12 (instance {(port - MUMU12_BASE) // MUMU12_STEP})"
    return f"an emulator on port {port} (not a MuMu default)"


def mumu12_port(instance: int) -> int:
    return MUMU12_BASE + MUMU12_STEP * instance
