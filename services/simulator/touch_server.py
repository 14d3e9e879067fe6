"""The simulated device's touch injectors: minitouch and bangcheater over TCP.

Both check the protocol the way a careful client must honour it (docs/scriptor-and-play.md
section 4, domain.md section 8): no second down on a contact that is down, no move or up
on a lifted contact, at most one d/m/u per contact per commit, every contact lifted when
the client leaves. A violating command is not applied and is counted. Every commit is
stamped with its arrival time on the simulator's monotonic clock and handed to the game
in the game's coordinates (1280x720 landscape).

minitouch speaks in its own touch space (``TouchSpace``: e.g. 0..32767, or a portrait
panel rotated against the display), so a client must scale and rotate; bangcheater takes
display pixels (the scenario's ``display``, e.g. 1920x1080), scaled back for the game.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from shared.playfield import HEIGHT, MAX_CONTACTS, WIDTH

log = logging.getLogger(__name__)

Kind = Literal["d", "m", "u"]


@dataclass(frozen=True)
class TouchEvent:
    kind: Kind
    contact: int
    x: float  # display coordinates; for "u" the contact's last position
    y: float


@dataclass(frozen=True)
class Commit:
    t: float  # arrival of the commit on the simulator's monotonic clock
    events: tuple[TouchEvent, ...]
    source: str = "minitouch"


@dataclass(frozen=True)
class TouchSpace:
    """The injector's coordinate space. ``rotation`` 0: x along the display's width;
    90: a portrait panel in its natural orientation, panel x = (1 - y/720) * max_x,
    panel y = x/1280 * max_y (the display is the panel turned a quarter clockwise)."""

    max_x: int = 32767
    max_y: int = 32767
    rotation: Literal[0, 90] = 0
    max_pressure: int = 255

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return (y / self.max_y * WIDTH, (1 - x / self.max_x) * HEIGHT)
        return (x / self.max_x * WIDTH, y / self.max_y * HEIGHT)

    def from_display(self, x: float, y: float) -> tuple[int, int]:
        if self.rotation == 90:
            return (round((1 - y / HEIGHT) * self.max_x), round(x / WIDTH * self.max_y))
        return (round(x / WIDTH * self.max_x), round(y / HEIGHT * self.max_y))


def display_to_game(display: tuple[int, int], x: float, y: float) -> tuple[float, float]:
    """A point in display pixels in the game's 1280x720 (the game is drawn scaled to fill a
    16:9 display)."""
    return x * WIDTH / display[0], y * HEIGHT / display[1]


class ContactBook:
    """Contact state across commits, with the protocol rules (pure: no sockets, no clock)."""

    def __init__(self, max_contacts: int = MAX_CONTACTS) -> None:
        self.max_contacts = max_contacts
        self.down: dict[int, tuple[float, float]] = {}  # committed positions
        self.pending: dict[int, TouchEvent] = {}
        self.violations: list[str] = []

    def _check(self, contact: int) -> bool:
        if not 0 <= contact < self.max_contacts:
            self.violations.append(f"contact {contact} outside 0..{self.max_contacts - 1}")
            return False
        if contact in self.pending:
            self.violations.append(f"second d/m/u for contact {contact} in one commit")
            return False
        return True

    def _is_down(self, contact: int) -> bool:
        return contact in self.down

    def apply(self, ev: TouchEvent) -> None:
        if not self._check(ev.contact):
            return
        if ev.kind == "d" and self._is_down(ev.contact):
            self.violations.append(f"down on contact {ev.contact}, which is already down")
            return
        if ev.kind in ("m", "u") and not self._is_down(ev.contact):
            word = "move" if ev.kind == "m" else "up"
            self.violations.append(f"{word} on contact {ev.contact}, which is not down")
            return
        if ev.kind == "u":
            x, y = self.down[ev.contact]
            ev = TouchEvent("u", ev.contact, x, y)
        self.pending[ev.contact] = ev

    def commit(self) -> tuple[TouchEvent, ...]:
        events = tuple(self.pending.values())
        for ev in events:
            if ev.kind == "u":
                self.down.pop(ev.contact, None)
            else:
                self.down[ev.contact] = (ev.x, ev.y)
        self.pending.clear()
        return events

    def reset(self) -> tuple[TouchEvent, ...]:
        """Lift everything (``r``), dropping uncommitted commands."""
        self.pending.clear()
        events = tuple(TouchEvent("u", c, x, y) for c, (x, y) in self.down.items())
        self.down.clear()
        return events

    def finish(self) -> tuple[TouchEvent, ...]:
        """The client left: contacts still down are a violation, lifted for it."""
        if self.down:
            self.violations.append(f"client left with contacts {sorted(self.down)} down")
        if self.pending:
            self.violations.append("client left with an uncommitted command")
        return self.reset()


CommitSink = Callable[[Commit], None]
Clock = Callable[[], float]


@dataclass
class _Session:
    book: ContactBook
    sink: CommitSink
    clock: Clock
    source: str

    def emit(self, events: tuple[TouchEvent, ...]) -> None:
        if events:
            self.sink(Commit(self.clock(), events, self.source))


def _ints(parts: list[str], n: int) -> list[int] | None:
    if len(parts) < n:
        return None
    try:
        return [int(float(p)) for p in parts[:n]]
    except ValueError:
        return None


@dataclass
class TouchServers:
    """The two injectors, listening on 127.0.0.1 (device-side ports behind ``adb forward``)."""

    sink: CommitSink
    clock: Clock
    space: TouchSpace = field(default_factory=TouchSpace)
    display: tuple[int, int] = (WIDTH, HEIGHT)  # bangcheater's pixels
    max_contacts: int = MAX_CONTACTS
    host: str = "127.0.0.1"
    violations: list[str] = field(default_factory=list)
    # bangcheater's extras, provided by the emulator
    read_file: Callable[[str], bytes | None] = lambda path: None
    calibrate: Callable[[int], str] = lambda predict_us: "0"
    minitouch_port: int = 0
    bangcheater_port: int = 0
    _servers: list[asyncio.Server] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self, minitouch_port: int = 0, bangcheater_port: int = 0) -> None:
        mt = await asyncio.start_server(self._minitouch, self.host, minitouch_port)
        bc = await asyncio.start_server(self._bangcheater, self.host, bangcheater_port)
        self._servers = [mt, bc]
        self.minitouch_port = int(mt.sockets[0].getsockname()[1])
        self.bangcheater_port = int(bc.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for s in self._servers:
            s.close()
        for t in list(self._tasks):
            t.cancel()

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _session(self, source: str) -> _Session:
        return _Session(ContactBook(self.max_contacts), self.sink, self.clock, source)

    def _end(self, s: _Session) -> None:
        s.emit(s.book.finish())
        self.violations.extend(f"{s.source}: {v}" for v in s.book.violations)
        s.book.violations.clear()

    # -- minitouch ---------------------------------------------------------------------------

    async def _minitouch(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._track()
        sp = self.space
        writer.write(
            f"v 1\n^ {self.max_contacts} {sp.max_x} {sp.max_y} {sp.max_pressure}\n$ {os.getpid()}\n".encode()
        )
        s = self._session("minitouch")
        try:
            await writer.drain()
            while line := await reader.readline():
                await self._minitouch_line(s, line.decode("ascii", "replace").split())
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._end(s)
            with contextlib.suppress(Exception):
                writer.close()

    async def _minitouch_line(self, s: _Session, parts: list[str]) -> None:
        if not parts:
            return
        cmd, args = parts[0], parts[1:]
        if cmd in ("d", "m"):
            v = _ints(args, 3)  # contact x y [pressure]
            if v is None:
                s.book.violations.append(f"malformed '{' '.join(parts)}'")
                return
            if not (0 <= v[1] <= self.space.max_x and 0 <= v[2] <= self.space.max_y):
                s.book.violations.append(f"'{' '.join(parts)}' outside the touch space")
                return
            x, y = self.space.to_display(v[1], v[2])
            s.book.apply(TouchEvent("d" if cmd == "d" else "m", v[0], x, y))
        elif cmd == "u":
            v = _ints(args, 1)
            if v is None:
                s.book.violations.append(f"malformed '{' '.join(parts)}'")
                return
            s.book.apply(TouchEvent("u", v[0], 0, 0))
        elif cmd == "c":
            s.emit(s.book.commit())
        elif cmd == "r":
            s.emit(s.book.reset())
        elif cmd == "w":
            v = _ints(args, 1)
            if v is not None:
                await asyncio.sleep(v[0] / 1000)
        else:
            s.book.violations.append(f"unknown command '{' '.join(parts)}'")

    # -- bangcheater -------------------------------------------------------------------------

    async def _bangcheater(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._track()
        s = self._session("bangcheater")
        sync = _ClockSync()
        script: list[tuple[int, list[list[str]]]] = []
        try:
            while line := await reader.readline():
                parts = line.decode("ascii", "replace").split()
                if not parts:
                    continue
                cmd = parts[0]
                if cmd == "p":
                    writer.write(b"BANGCHEATERCONTROLLERREADY\n")
                elif cmd in ("d", "m", "u"):
                    self._bc_touch(s, parts)
                elif cmd == "c":
                    s.emit(s.book.commit())
                elif cmd == "r":
                    s.emit(s.book.reset())
                elif cmd == "t":
                    v = _ints(parts[1:], 3)
                    if v is None:
                        writer.write(b"ERR t needs <send_us> <correction_us> <dilation>\n")
                    else:
                        now_us = round(self.clock() * 1e6)
                        sync = _ClockSync(now_us - v[0], v[1], v[2])
                        writer.write(f"t {now_us}\n".encode())
                elif cmd == "f":
                    path = parts[1] if len(parts) > 1 else SHEET_PATH
                    body = self.read_file(path)
                    if body is None:
                        writer.write(f"ERR no commands file at {path}\n".encode())
                    else:
                        script = parse_sheet(body.decode("ascii", "replace"))
                        writer.write(f"f {len(script)}\n".encode())
                elif cmd == "s":
                    v = _ints(parts[1:], 1)
                    if v is None or not script:
                        writer.write(b"ERR s needs <predict_us> and a loaded commands file\n")
                    else:
                        await self._play_script(s, script, v[0], sync)
                        writer.write(b"s done\n")
                elif cmd == "C":
                    v = _ints(parts[1:], 1)
                    writer.write(f"C {self.calibrate(v[0] if v else 0)}\n".encode())
                elif cmd in ("k", "e"):
                    break
                else:
                    s.book.violations.append(f"unknown command '{' '.join(parts)}'")
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._end(s)
            with contextlib.suppress(Exception):
                writer.close()

    def _bc_touch(self, s: _Session, parts: list[str]) -> None:
        cmd = parts[0]
        v = _ints(parts[1:], 1 if cmd == "u" else 3)
        if v is None:
            s.book.violations.append(f"malformed '{' '.join(parts)}'")
            return
        if cmd == "u":
            s.book.apply(TouchEvent("u", v[0], 0, 0))
        else:
            x, y = display_to_game(self.display, v[1], v[2])
            s.book.apply(TouchEvent("d" if cmd == "d" else "m", v[0], x, y))

    async def _play_script(
        self, s: _Session, script: list[tuple[int, list[list[str]]]], predict_us: int, sync: _ClockSync
    ) -> None:
        """Play a loaded sheet on the device clock: group at sheet time ``us`` runs at host
        time ``predict_us + us * dilation / 1e6``, moved to the device clock by the last
        ``t`` (offset + correction)."""
        for us, lines in script:
            due = (predict_us + us * sync.dilation / 1e6 + sync.offset_us + sync.correction_us) / 1e6
            delay = due - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            for parts in lines:
                self._bc_touch(s, parts)
            s.emit(s.book.commit())


SHEET_PATH = "/data/local/tmp/commands.sheet"


@dataclass(frozen=True)
class _ClockSync:
    offset_us: int = 0  # device clock - host clock
    correction_us: int = 0
    dilation: int = 1_000_000


def parse_sheet(text: str) -> list[tuple[int, list[list[str]]]]:
    """A ``commands.sheet`` as (microseconds after its first command, touch lines) groups:
    ``b <us>`` names the first command's time, each ``t <us>`` starts a group."""
    base = 0
    groups: list[tuple[int, list[list[str]]]] = []
    for raw in text.splitlines():
        parts = raw.split()
        if not parts:
            continue
        if parts[0] == "b" and len(parts) > 1:
            base = int(parts[1])
        elif parts[0] == "t" and len(parts) > 1:
            groups.append((int(parts[1]) - base, []))
        elif parts[0] in ("d", "m", "u") and groups:
            groups[-1][1].append(parts)
    return groups
