"""A fake touch injector on loopback for tests and benchmarks: it speaks minitouch (with a
configurable header) or bangcheater, checks the protocol rules (no double down, no move
or up on a lifted contact, one command per contact per commit, everything lifted when the
client goes) and stamps every commit with the monotonic clock when it arrives.

The rules are checked here on their own (not with the clients' ``ContactRules``), so a
client bug is not mirrored by the check."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

Op = tuple[str, int, int, int]  # (d|m|u, contact, x, y); x = y = 0 for u


@dataclass
class Commit:
    at_ns: int  # time.monotonic_ns() when the bytes carrying the 'c' arrived
    ops: list[Op]


@dataclass
class Session:
    commits: list[Commit] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # bangcheater's f/t/s/C/r/e lines
    left_down: list[int] = field(default_factory=list)  # contacts down when the client left
    closed: threading.Event = field(default_factory=threading.Event)


class FakeTouchServer:
    def __init__(
        self,
        kind: Literal["minitouch", "bangcheater"] = "minitouch",
        *,
        max_contacts: int = 10,
        max_x: int = 1279,
        max_y: int = 719,
        header: bytes | None = None,
        calibration_reply_us: int = 0,
        drop_after_commits: int | None = None,
    ) -> None:
        self.kind = kind
        self.max_contacts = max_contacts
        self.header = (
            header
            if header is not None
            else (f"v 1\n^ {max_contacts} {max_x} {max_y} 255\n$ 4242\n".encode())
        )
        self.calibration_reply_us = calibration_reply_us
        self.drop_after_commits = drop_after_commits  # hang up after this many commits
        self.sessions: list[Session] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._stop = False

    @property
    def url(self) -> str:
        return f"{self.kind}://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeTouchServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._sock.close()

    def wait_closed(self, timeout_s: float = 10.0) -> Session:
        """The latest session, once its client has disconnected."""
        deadline = time.monotonic() + timeout_s
        while not self.sessions and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.sessions:
            raise TimeoutError("no client connected to the fake touch server")
        s = self.sessions[-1]
        if not s.closed.wait(max(deadline - time.monotonic(), 0.0)):
            raise TimeoutError("the client did not disconnect")
        return s

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = Session()
            self.sessions.append(session)
            threading.Thread(target=self._serve, args=(conn, session), daemon=True).start()

    def _serve(self, conn: socket.socket, s: Session) -> None:
        down: set[int] = set()
        pending: list[Op] = []
        buf = b""
        try:
            if self.kind == "minitouch":
                conn.sendall(self.header)
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                now = time.monotonic_ns()
                buf += chunk
                *lines, rest = buf.split(b"\n")
                buf = rest
                for raw in lines:
                    reply = self._line(raw.decode("ascii", errors="replace").strip(), now, s, down, pending)
                    if reply is not None:
                        conn.sendall(reply.encode() + b"\n")
                if self.drop_after_commits is not None and len(s.commits) >= self.drop_after_commits:
                    down.clear()  # a dropped link: what is down is the device's problem now
                    pending.clear()
                    break
        except OSError:
            pass
        finally:
            conn.close()
            if pending:
                s.violations.append(f"{len(pending)} command(s) never committed")
            if down:
                s.violations.append(f"contacts {sorted(down)} still down when the client left")
            s.left_down = sorted(down)
            s.closed.set()

    def _line(self, line: str, now: int, s: Session, down: set[int], pending: list[Op]) -> str | None:
        parts = line.split()
        if not parts:
            return None
        cmd, args = parts[0], parts[1:]
        bang = self.kind == "bangcheater"
        if cmd in ("d", "m"):
            want = 3 if bang else 4
            if len(args) != want:
                s.violations.append(f"{line!r}: expected {want} arguments")
                return None
            c, x, y = int(args[0]), int(args[1]), int(args[2])
            self._check(s, pending, c, cmd)
            if cmd == "d" and c in down:
                s.violations.append(f"{line!r}: contact {c} is already down")
            if cmd == "m" and c not in down:
                s.violations.append(f"{line!r}: contact {c} is not down")
            down.add(c)
            pending.append((cmd, c, x, y))
        elif cmd == "u":
            c = int(args[0])
            self._check(s, pending, c, cmd)
            if c not in down:
                s.violations.append(f"{line!r}: contact {c} is not down")
            down.discard(c)
            pending.append(("u", c, 0, 0))
        elif cmd == "c":
            s.commits.append(Commit(now, list(pending)))
            pending.clear()
        elif cmd == "r":
            s.other.append(line)
            down.clear()
            pending.clear()
        elif bang and cmd == "p":
            return "BANGCHEATERCONTROLLERREADY"
        elif bang and cmd in ("k", "e"):
            s.other.append(line)
        elif bang and cmd in ("f", "t", "s", "C"):
            s.other.append(line)
            replies = {
                "f": "f 0",
                "t": f"t {now // 1000}",
                "s": "s done",
                "C": f"C {self.calibration_reply_us}",
            }
            return replies[cmd]
        else:
            s.violations.append(f"unknown command {line!r}")
        return None

    def _check(self, s: Session, pending: list[Op], c: int, cmd: str) -> None:
        if not 0 <= c < self.max_contacts:
            s.violations.append(f"{cmd} {c}: contact outside 0..{self.max_contacts - 1}")
        if any(op[1] == c for op in pending):
            s.violations.append(f"{cmd} {c}: second command for the contact in one commit")
