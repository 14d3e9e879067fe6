"""bangcheater, the first version's own injector (docs/domain.md section 8).

One command per line, each reply one line. Handshake ``p`` -> ``BANGCHEATERCONTROLLERREADY``;
``d <contact> <x> <y>``, ``m``, ``u``, ``c`` commit, ``r`` lift all; for device-side timing
``f`` reloads the pushed commands file, ``t <send_us> <correction_us> <dilation>`` syncs the
clocks, ``s <predict_us>`` plays the loaded script (its reply comes when the song is over),
``C <predict_us>`` replies the measured difference in microseconds; ``k``/``e`` exit.
Coordinates are the 1280x720 landscape frame's. The first version wrote commands with no
framing and slept 10 ms between sends; lines need neither."""

from __future__ import annotations

import socket
import time

from shared.device.touch.channel import LineReader, SocketChannel, TouchError, connect
from shared.device.touch.space import TouchSpace
from shared.playfield import HEIGHT, MAX_CONTACTS, WIDTH

READY = "BANGCHEATERCONTROLLERREADY"


def epoch_us() -> int:
    return time.time_ns() // 1000


class BangcheaterChannel(SocketChannel):
    def __init__(self, url: str, sock: socket.socket, reader: LineReader, rotation: int = 0) -> None:
        super().__init__(url, sock, TouchSpace(WIDTH, HEIGHT, rotation), MAX_CONTACTS)
        self.reader = reader

    def _down(self, contact: int, x: int, y: int) -> str:
        return f"d {contact} {x} {y}\n"

    def _move(self, contact: int, x: int, y: int) -> str:
        return f"m {contact} {x} {y}\n"

    def lift_all_commands(self, contacts: list[int]) -> str:
        return "r\n"  # the injector's own lift-all also covers contacts we do not know of

    # -- device-side timing ----------------------------------------------------------------
    def reload(self) -> None:
        """Make the injector read the commands file pushed to the device again."""
        self.send_raw(b"f\n")

    def sync(self, correction_us: int, dilation: int) -> None:
        """Clock sync: the host's time now (epoch us), the correction and the dilation."""
        self.send_raw(f"t {epoch_us()} {int(correction_us)} {int(dilation)}\n".encode())

    def play(self, predict_us: int, timeout_s: float) -> str:
        """Play the loaded script with chart time 0 at host epoch ``predict_us``; returns the
        injector's reply, which it sends when the song is over."""
        self.send_raw(f"s {int(predict_us)}\n".encode())
        return self.reader.line(timeout_s)

    def calibrate(self, predict_us: int, timeout_s: float = 30.0) -> int:
        """``C``: the injector's measured difference (us) against ``predict_us``."""
        self.send_raw(f"C {int(predict_us)}\n".encode())
        reply = self.reader.line(timeout_s)
        try:
            return int(reply.split()[-1])
        except (ValueError, IndexError) as exc:
            raise TouchError(f"{self.url}: calibration reply {reply!r} is not a number of us") from exc

    def farewell(self) -> bytes:
        return b"e\n"


def open_bangcheater(
    url: str, host: str, port: int, rotation: int = 0, timeout_s: float = 3.0
) -> BangcheaterChannel:
    sock = connect(url, host, port, timeout_s)
    reader = LineReader(sock, url)
    try:
        sock.sendall(b"p\n")
        reply = reader.line(timeout_s)
    except (TouchError, OSError) as exc:
        sock.close()
        raise TouchError(f"{url}: no bangcheater handshake ({exc})") from exc
    if reply != READY:
        sock.close()
        raise TouchError(f"{url} is not bangcheater: it answered {reply[:60]!r} to 'p', not {READY}")
    sock.settimeout(timeout_s)
    return BangcheaterChannel(url, sock, reader, rotation)
