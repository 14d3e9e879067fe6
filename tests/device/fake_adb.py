"""A small ADB server on loopback for the device layer's error paths: smart-socket framing
(4 hex digits of length + request; OKAY, or FAIL + 4-hex-length message), the host
services adbutils uses (version, devices, connect, tport, forward) and exec/shell on a
transport. The real client code (adbutils, through ``shared.device``) talks to it."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# One exec/shell command's answer: the bytes it writes (the connection closes after them),
# or an iterator of chunks for a stream (screenrecord).
Answer = bytes | Iterator[bytes]
Handler = Callable[[str], Answer]


def block(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return f"{len(data):04x}".encode() + data


@dataclass
class FakeAdb:
    devices: dict[str, str] = field(default_factory=lambda: {"emulator-5554": "device"})
    exec: Handler = lambda command: b""
    shell: Handler = lambda command: b""
    connect_answer: Callable[[str], str] = lambda addr: f"failed to connect to '{addr}': Connection refused"
    requests: list[str] = field(default_factory=list)
    forwards: dict[str, str] = field(default_factory=dict)  # local -> remote

    def __post_init__(self) -> None:
        fake = self

        class Handle(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handle)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"adb://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self, prefix: str) -> int:
        return sum(1 for r in list(self.requests) if r.startswith(prefix))

    # -- protocol --------------------------------------------------------------------
    def _serve(self, conn: socket.socket) -> None:
        serial: str | None = None
        while True:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            if serial is None:
                serial = self._host(conn, request)
                if serial == "":
                    return  # answered and done
                continue
            self._device(conn, request)
            return

    def _host(self, conn: socket.socket, request: str) -> str:
        """A host request; the serial when it switched to a device transport ("" else)."""
        if request == "host:version":
            conn.sendall(b"OKAY" + block("0029"))
        elif request in ("host:devices", "host:devices-l"):
            listing = "".join(f"{s}\t{state}\n" for s, state in self.devices.items())
            conn.sendall(b"OKAY" + block(listing))
        elif request.startswith("host:connect:"):
            addr = request.removeprefix("host:connect:")
            answer = self.connect_answer(addr)
            if answer.startswith(("connected", "already")):
                self.devices.setdefault(addr, "device")
            conn.sendall(b"OKAY" + block(answer))
        elif request.startswith(("host:tport:serial:", "host:transport:")):
            serial = request.removeprefix("host:tport:serial:").removeprefix("host:transport:")
            if not self._usable(conn, serial):
                return ""
            extra = b"\x01\x00\x00\x00\x00\x00\x00\x00" if request.startswith("host:tport") else b""
            conn.sendall(b"OKAY" + extra)
            return serial
        elif request.startswith("host-serial:"):
            rest = request.removeprefix("host-serial:")
            serial, command = _split_host_serial(rest)
            if self._usable(conn, serial):
                self._host_serial(conn, serial, command)
        else:
            conn.sendall(b"FAIL" + block(f"unknown host service {request}"))
        return ""

    def _usable(self, conn: socket.socket, serial: str) -> bool:
        state = self.devices.get(serial)
        if state is None:
            conn.sendall(b"FAIL" + block(f"device '{serial}' not found"))
        elif state == "offline":
            conn.sendall(b"FAIL" + block("device offline"))
        elif state == "unauthorized":
            conn.sendall(
                b"FAIL" + block("device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set")
            )
        else:
            return True
        return False

    def _host_serial(self, conn: socket.socket, serial: str, command: str) -> None:
        if command.startswith("forward:"):
            spec = command.removeprefix("forward:").removeprefix("norebind:")
            local, _, remote = spec.partition(";")
            self.forwards[local] = remote
            conn.sendall(b"OKAYOKAY")
        elif command.startswith("killforward:"):
            self.forwards.pop(command.removeprefix("killforward:"), None)
            conn.sendall(b"OKAYOKAY")
        elif command == "list-forward":
            listing = "".join(f"{serial} {local} {remote}\n" for local, remote in self.forwards.items())
            conn.sendall(b"OKAY" + block(listing))
        elif command == "get-state":
            conn.sendall(b"OKAY" + block(self.devices[serial]))
        else:
            conn.sendall(b"FAIL" + block(f"unknown service {command}"))

    def _device(self, conn: socket.socket, request: str) -> None:
        kind, _, command = request.partition(":")
        handler = {"exec": self.exec, "shell": self.shell}.get(kind)
        if handler is None:
            conn.sendall(b"FAIL" + block(f"unknown device service {request}"))
            return
        conn.sendall(b"OKAY")
        answer = handler(command)
        try:
            if isinstance(answer, bytes):
                conn.sendall(answer)
            else:
                for chunk in answer:
                    conn.sendall(chunk)
        except OSError:
            pass  # the client hung up (a stream it closed)
        finally:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


HOST_SERIAL_SERVICES = ("forward:", "killforward:", "list-forward", "get-state")


def _split_host_serial(rest: str) -> tuple[str, str]:
    """``SERIAL:SERVICE`` where the serial itself may hold colons (``127.0.0.1:7555``)."""
    at = min((i for s in HOST_SERIAL_SERVICES if (i := rest.find(":" + s)) >= 0), default=-1)
    return (rest[:at], rest[at + 1 :]) if at >= 0 else (rest, "")


def _read_request(conn: socket.socket) -> str | None:
    head = _read_exact(conn, 4)
    if head is None:
        return None
    body = _read_exact(conn, int(head, 16))
    return None if body is None else body.decode()


def _read_exact(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        try:
            chunk = conn.recv(n - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data
