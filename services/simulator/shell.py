"""The device shell commands the simulator understands, parsed (pure).

Parsing is apart from running (``emulator.Emulator.run``) so the command forms real clients
send can be tested without sockets: ``screencap [-p]``, ``input tap|swipe|keyevent``,
``am start -n``, ``monkey -p``, ``am force-stop``, ``dumpsys window|activity|input``,
``wm size``, ``getprop``, ``screenrecord --output-format=h264 --size WxH ... -``, ``echo``,
``chmod``, ``rm`` and a pushed program run by its path (``programs``). Anything else
answers as Android's shell does: ``/system/bin/sh: X: not found``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

BACK_KEYS = ("4", "KEYCODE_BACK")
HOME_KEYS = ("3", "KEYCODE_HOME")


@dataclass(frozen=True)
class Screencap:
    png: bool


@dataclass(frozen=True)
class Tap:
    x: float
    y: float


@dataclass(frozen=True)
class Swipe:
    x1: float
    y1: float
    x2: float
    y2: float
    ms: float


@dataclass(frozen=True)
class Key:
    code: str  # "back", "home" or the raw code


@dataclass(frozen=True)
class Start:
    component: str  # PKG/ACT or PKG


@dataclass(frozen=True)
class Stop:
    package: str


@dataclass(frozen=True)
class Dumpsys:
    what: str  # window, activity, input, other


@dataclass(frozen=True)
class Screenrecord:
    width: int
    height: int
    bit_rate: int
    time_limit_s: float


@dataclass(frozen=True)
class Text:
    """A command whose answer is fixed text (``wm size``, ``getprop``, ``echo``)."""

    output: str


@dataclass(frozen=True)
class Error:
    output: str


@dataclass(frozen=True)
class Chmod:
    mode: int
    path: str


@dataclass(frozen=True)
class Remove:
    path: str


@dataclass(frozen=True)
class Program:
    """A file run by its path (``/data/local/tmp/minitouch -n NAME``): a pushed program."""

    path: str
    args: tuple[str, ...]


Command = (
    Screencap
    | Tap
    | Swipe
    | Key
    | Start
    | Stop
    | Dumpsys
    | Screenrecord
    | Text
    | Error
    | Chmod
    | Remove
    | Program
)

SDK = "32"
PROPS = {
    "ro.build.version.sdk": SDK,
    "ro.build.version.release": "12",
    "ro.product.model": "AutoBangSim",
    # An x86_64 emulator (as MuMu 12 and LDPlayer 9) that also runs ARM apps (native bridge).
    "ro.product.cpu.abi": "x86_64",
    "ro.product.cpu.abilist": "x86_64,x86,arm64-v8a,armeabi-v7a,armeabi",
    "ro.product.manufacturer": "AutoBangDream",
    "ro.serialno": "",
    # The touch path's own latency as the device reports it (shared.device.base.LATENCY_PROP):
    # none. The scenario's hidden ``input_latency_ms`` is never said.
    "autobang.touch_latency_us": "0",
}


def split(command: str) -> list[str]:
    """A command line as its commands, split at ``;`` and ``&&``. A pipeline keeps its
    first command only: the filters clients add (``| grep mCurrentFocus``) would keep the
    simulator's short answers whole anyway."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    out: list[list[str]] = [[]]
    piped = False
    try:
        for tok in lexer:
            if tok in (";", "&&", "&"):
                out.append([])
                piped = False
            elif tok in ("|", "||"):
                piped = True
            elif not piped:
                out[-1].append(tok)
    except ValueError:
        return [command]
    return [shlex.join(words) for words in out if words]


def parse(
    command: str, serial: str = "", display: tuple[int, int] = (1280, 720), portrait_panel: bool = False
) -> Command:
    """One command. ``display`` is the landscape display the game is shown on; ``wm size``
    reports it in the panel's natural orientation (portrait for a rotated panel)."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return Error(f"/system/bin/sh: syntax error: {exc}\n")
    if not argv:
        return Text("")
    name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
    if name == "screencap":
        return Screencap(png="-p" in args)
    if name == "input":
        return _input(args)
    if name == "am":
        return _am(args)
    if name == "monkey":
        if "-p" in args and args.index("-p") + 1 < len(args):
            return Start(args[args.index("-p") + 1])
        return Error("usage: monkey [-p ALLOWED_PACKAGE [-p ALLOWED_PACKAGE] ...] COUNT\n")
    if name == "dumpsys":
        what = args[0] if args else "other"
        return Dumpsys(what if what in ("window", "activity", "input") else "other")
    if name == "wm":
        if args[:1] == ["size"]:
            w, h = (display[1], display[0]) if portrait_panel else display
            return Text(f"Physical size: {w}x{h}\n")
        if args[:1] == ["density"]:
            return Text("Physical density: 240\n")
        return Error(f"wm: unknown command '{' '.join(args)}'\n")
    if name == "getprop":
        if not args:
            return Text("".join(f"[{k}]: [{v or serial}]\n" for k, v in PROPS.items()))
        value = PROPS.get(args[0], "")
        return Text(f"{value or (serial if args[0] == 'ro.serialno' else '')}\n")
    if name == "screenrecord":
        return _screenrecord(args, display)
    if "/" in argv[0]:
        return Program(argv[0], tuple(args))
    if name == "chmod":
        try:
            return Chmod(int(args[0], 8), args[1])
        except (IndexError, ValueError):
            return Error("chmod: usage: chmod MODE FILE (octal mode)\n")
    if name == "rm":
        paths = [a for a in args if not a.startswith("-")]
        return Remove(paths[0]) if paths else Error("rm: needs a file\n")
    if name == "echo":
        return Text(" ".join(args) + "\n")
    if name in ("true", ":"):
        return Text("")
    return Error(f"/system/bin/sh: {name}: not found\n")


def _num(s: str) -> float:
    return float(s)


def _input(args: list[str]) -> Command:
    # ``input [touchscreen|keyboard] tap X Y``
    if args and args[0] in ("touchscreen", "touchpad", "keyboard", "mouse"):
        args = args[1:]
    try:
        if args[:1] == ["tap"] and len(args) >= 3:
            return Tap(_num(args[1]), _num(args[2]))
        if args[:1] == ["swipe"] and len(args) >= 5:
            ms = _num(args[5]) if len(args) > 5 else 300.0
            return Swipe(_num(args[1]), _num(args[2]), _num(args[3]), _num(args[4]), ms)
    except ValueError:
        return Error(f"Error: invalid number in 'input {' '.join(args)}'\n")
    if args[:1] == ["keyevent"] and len(args) >= 2:
        code = args[1]
        return Key("back" if code in BACK_KEYS else ("home" if code in HOME_KEYS else code))
    return Error("Usage: input [<source>] <command> [<arg>...]\n")


def _am(args: list[str]) -> Command:
    if args[:1] == ["start"]:
        if "-n" in args and args.index("-n") + 1 < len(args):
            return Start(args[args.index("-n") + 1])
        return Error("Error: am start needs -n PKG/ACTIVITY here\n")
    if args[:1] == ["force-stop"] and len(args) >= 2:
        return Stop(args[1])
    return Error(f"am: unknown command '{' '.join(args[:1])}'\n")


MAX_RECORD_PIXELS = 1920 * 1080


def _screenrecord(args: list[str], size: tuple[int, int] = (1280, 720)) -> Command:
    opts: dict[str, str] = {}
    rest: list[str] = []
    it = iter(args)
    for a in it:
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            opts[k] = v
        elif a.startswith("--") and a[2:] in ("size", "bit-rate", "time-limit", "output-format"):
            opts[a[2:]] = next(it, "")
        elif a.startswith("--"):
            opts[a[2:]] = ""
        else:
            rest.append(a)
    if opts.get("output-format") != "h264" or rest != ["-"]:
        return Error("screenrecord: the simulator streams only '--output-format=h264 ... -'\n")
    w, h = size
    if "size" in opts:
        try:
            ws, hs = opts["size"].lower().split("x")
            w, h = int(ws), int(hs)
        except ValueError:
            return Error(f"screenrecord: invalid size '{opts['size']}'\n")
        if w < 16 or h < 16 or w % 2 or h % 2:
            return Error(f"screenrecord: size {w}x{h} must be even and at least 16x16\n")
        if w * h > max(MAX_RECORD_PIXELS, size[0] * size[1]):
            # A real device's encoder refuses sizes beyond its display; unbounded, one
            # request would make the simulator draw gigabytes.
            return Error(f"screenrecord: size {w}x{h} is larger than the display ({size[0]}x{size[1]})\n")
    try:
        bit_rate = int(opts.get("bit-rate", "4000000"))
        limit = float(opts.get("time-limit", "180"))
    except ValueError:
        return Error("screenrecord: invalid --bit-rate or --time-limit\n")
    return Screenrecord(w, h, bit_rate, limit)
