"""Programs pushed to the simulated device and run by path, as Android runs them (pure).

The simulated device is x86_64 (``shell.PROPS``): it runs an ELF executable for x86_64 or
x86 that has the execute bit; anything else fails with the shell's words. A minitouch
build (the one program it knows, recognised by minitouch's usage text in the binary)
serves the simulator's minitouch touch server on the abstract socket its ``-n`` names
(default ``minitouch``) for as long as its shell connection stays open: the socket appears
only once it is started, as on Android."""

from __future__ import annotations

import struct
from dataclasses import dataclass

# ELF e_machine values: what the simulated CPU runs, and names for the refusal.
RUNS = {62: "x86-64", 3: "Intel 80386"}
MACHINES = {**RUNS, 183: "ARM aarch64", 40: "ARM", 8: "MIPS"}
MINITOUCH_MARK = b"minitouch"  # in every build's usage text and error messages


@dataclass(frozen=True)
class Minitouch:
    socket: str  # the abstract socket name


@dataclass(frozen=True)
class Refused:
    output: str
    status: int


@dataclass(frozen=True)
class Exited:
    """A program the simulator does not know: it runs and exits at once."""

    output: str = ""


Outcome = Minitouch | Refused | Exited


def launch(path: str, args: tuple[str, ...], body: bytes | None, mode: int) -> Outcome:
    """What running ``path args`` does, given the file's bytes (None: no such file) and mode."""
    if body is None:
        return Refused(f"/system/bin/sh: {path}: not found\n", 127)
    if not mode & 0o111:
        return Refused(f"/system/bin/sh: {path}: can't execute: Permission denied\n", 126)
    if body[:4] != b"\x7fELF" or len(body) < 20:
        return Refused(f"/system/bin/sh: {path}: syntax error: unexpected word\n", 2)
    bits = 64 if body[4] == 2 else 32
    (machine,) = struct.unpack_from("<H", body, 18)
    if machine not in RUNS:
        arch = MACHINES.get(machine, f"machine {machine}")
        return Refused(f"/system/bin/sh: {path}: not executable: {bits}-bit ELF file, {arch}\n", 126)
    if MINITOUCH_MARK not in body:
        return Exited()
    name = "minitouch"
    if "-n" in args:
        i = args.index("-n")
        if i + 1 >= len(args):
            return Refused("minitouch: option requires an argument -- n\n", 1)
        name = args[i + 1]
    return Minitouch(name)


def minitouch_banner(max_x: int, max_y: int, contacts: int) -> str:
    """What minitouch writes to its shell when it found the touch screen."""
    return (
        "Note: device /dev/input/event2 is not supported by libevdev\n"
        f"Type B touch device AutoBangSim touchscreen ({max_x}x{max_y} with {contacts} contacts) "
        "detected on /dev/input/event1 (score 22100)\n"
    )
