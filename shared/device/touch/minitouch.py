"""minitouch / MaaTouch: the same text protocol. The server writes its header on connect
(``v``, ``^ contacts max-x max-y max-pressure``, ``$ pid``) and never answers after it."""

from __future__ import annotations

import socket

from shared.device.touch.channel import LineReader, SocketChannel, TouchError, connect
from shared.device.touch.space import Header, HeaderError, TouchSpace, parse_header

HEADER_TIMEOUT_S = 3.0
MAX_HEADER_LINES = 8


def read_header(reader: LineReader) -> Header:
    lines: list[str] = []
    while len(lines) < MAX_HEADER_LINES:
        line = reader.line(HEADER_TIMEOUT_S)
        lines.append(line)
        if line[:1] not in ("v", "^", "$"):  # fail at once on a stranger's banner
            raise HeaderError(f"unexpected header line {line[:60]!r}")
        if line.startswith("$"):
            return parse_header(lines)
    raise HeaderError(f"no '$ pid' line in the first {MAX_HEADER_LINES} lines: {lines!r}")


class MinitouchChannel(SocketChannel):
    def __init__(self, url: str, sock: socket.socket, header: Header, rotation: int = 0) -> None:
        super().__init__(url, sock, TouchSpace(header.max_x, header.max_y, rotation), header.max_contacts)
        self.header = header
        # A light press: minitouch needs a pressure, some panels report 0 as the maximum.
        self.pressure = min(50, header.max_pressure)

    def _down(self, contact: int, x: int, y: int) -> str:
        return f"d {contact} {x} {y} {self.pressure}\n"

    def _move(self, contact: int, x: int, y: int) -> str:
        return f"m {contact} {x} {y} {self.pressure}\n"


def open_minitouch(
    url: str, host: str, port: int, rotation: int = 0, timeout_s: float = 3.0
) -> MinitouchChannel:
    sock = connect(url, host, port, timeout_s)
    try:
        header = read_header(LineReader(sock, url))
    except HeaderError as exc:
        sock.close()
        raise TouchError(f"{url} is not a minitouch/MaaTouch server: bad header: {exc}") from exc
    except TouchError as exc:
        sock.close()
        raise TouchError(f"{url}: no minitouch header ({exc})") from exc
    sock.settimeout(timeout_s)
    return MinitouchChannel(url, sock, header, rotation)
