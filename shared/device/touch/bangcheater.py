"""bangcheater, the first version's own injector (docs/domain.md section 8).

One command per line, each reply one line. Handshake ``p`` -> ``BANGCHEATERCONTROLLERREADY``;
``d <contact> <x> <y>``, ``m``, ``u``, ``c`` commit, ``r`` lift all (no replies); for
device-side timing ``f`` reloads the pushed commands file (-> ``f <groups>``), ``t <send_us>
<correction_us> <dilation>`` syncs the clocks (-> ``t <device_us>``), ``s <predict_us>``
plays the loaded script with its first command at host time ``predict_us`` (-> ``s done``
when the song is over), ``C <predict_us>`` -> ``C <actual - predicted us>``; ``ERR ...`` on a
refused command; ``k``/``e`` exit. Host times are ``time.monotonic`` in us.
Coordinates are display pixels (the 1280x720 frame's, scaled to the display the URL's
``?display=WxH`` names). The first version wrote commands with no
framing and slept 10 ms between sends; lines need neither."""

from __future__ import annotations

import socket
import time

from shared.device.touch.channel import LineReader, SocketChannel, TouchError, connect
from shared.device.touch.space import TouchSpace
from shared.playfield import HEIGHT, MAX_CONTACTS, WIDTH

READY = "BANGCHEATERCONTROLLERREADY"


def host_us() -> int:
    return time.monotonic_ns() // 1000


class BangcheaterChannel(SocketChannel):
    def __init__(
        self,
        url: str,
        sock: socket.socket,
        reader: LineReader,
        rotation: int = 0,
        display: tuple[int, int] = (WIDTH, HEIGHT),
    ) -> None:
        super().__init__(url, sock, TouchSpace(display[0], display[1], rotation), MAX_CONTACTS)
        self.reader = reader

    def _down(self, contact: int, x: int, y: int) -> str:
        return f"d {contact} {x} {y}\n"

    def _move(self, contact: int, x: int, y: int) -> str:
        return f"m {contact} {x} {y}\n"

    def lift_all_commands(self, contacts: list[int]) -> str:
        return "r\n"  # the injector's own lift-all also covers contacts we do not know of

    # -- device-side timing ----------------------------------------------------------------
    def _ask(self, command: str, timeout_s: float = 5.0) -> list[str]:
        """Send one command and read its reply line, split; ``ERR ...`` raises."""
        self.send_raw(command.encode("ascii") + b"\n")
        reply = self.reader.line(timeout_s)
        if not reply or reply.startswith("ERR"):
            raise TouchError(f"{self.url} refused {command.split()[0]!r}: {reply or 'no reply'}")
        return reply.split()

    def _number(self, command: str, timeout_s: float = 5.0) -> int:
        reply = self._ask(command, timeout_s)
        try:
            return int(reply[-1])
        except ValueError as exc:
            raise TouchError(f"{self.url}: reply {' '.join(reply)!r} to {command!r} is not a number") from exc

    def reload(self) -> int:
        """Make the injector read the commands file pushed to the device; its group count."""
        return self._number("f")

    def sync(self, correction_us: int, dilation: int) -> int:
        """Clock sync: the host's time now, the correction and the dilation; the device's
        time (us) at receipt."""
        return self._number(f"t {host_us()} {int(correction_us)} {int(dilation)}")

    def play(self, predict_us: int, timeout_s: float) -> str:
        """Play the loaded script, its first command at host time ``predict_us``; returns
        the reply the injector sends when the song is over."""
        return " ".join(self._ask(f"s {int(predict_us)}", timeout_s))

    def calibrate(self, predict_us: int, timeout_s: float = 30.0) -> int:
        """``C``: the injector's measured difference (us, actual - predicted)."""
        return self._number(f"C {int(predict_us)}", timeout_s)

    def farewell(self) -> bytes:
        return b"e\n"


def open_bangcheater(
    url: str,
    host: str,
    port: int,
    rotation: int = 0,
    timeout_s: float = 3.0,
    display: tuple[int, int] = (WIDTH, HEIGHT),
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
    return BangcheaterChannel(url, sock, reader, rotation, display)
