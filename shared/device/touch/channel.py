"""``TouchChannel``: the multitouch interface every backend offers, and the socket client
both text protocols (minitouch/MaaTouch, bangcheater) share.

Commands are buffered and leave in one write at ``commit()`` (with TCP_NODELAY, so a
commit is one segment on the wire, sent at once). Every contact is lifted on ``close()``,
on ``reset()`` and when a send fails: a contact left down can freeze a device's input."""

from __future__ import annotations

import contextlib
import socket
from typing import Protocol, runtime_checkable

from shared.device.errors import DeviceError
from shared.device.touch.rules import ContactRules
from shared.device.touch.space import TouchSpace


class TouchError(DeviceError):
    """The injector is unreachable, sent a bad header, or the connection broke."""


@runtime_checkable
class TouchChannel(Protocol):
    @property
    def max_contacts(self) -> int: ...

    def down(self, contact: int, x: float, y: float) -> None: ...

    def move(self, contact: int, x: float, y: float) -> None: ...

    def up(self, contact: int) -> None: ...

    def commit(self) -> None: ...

    def reset(self) -> None:
        """Lift every contact and commit."""
        ...

    def close(self) -> None:
        """Lift everything, then close the connection."""
        ...


def connect(url: str, host: str, port: int, timeout_s: float) -> socket.socket:
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except TimeoutError as exc:
        raise TouchError(f"no answer from the touch injector at {url} within {timeout_s:g} s") from exc
    except OSError as exc:
        raise TouchError(
            f"no touch injector at {url} ({exc.strerror or exc}): is it running and its port "
            "forwarded (adb forward)?"
        ) from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class LineReader:
    """Lines from a socket (the injectors' banners and replies)."""

    def __init__(self, sock: socket.socket, url: str) -> None:
        self.sock = sock
        self.url = url
        self.buf = b""

    def line(self, timeout_s: float) -> str:
        self.sock.settimeout(timeout_s)
        try:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise TouchError(f"the touch injector at {self.url} closed the connection")
                self.buf += chunk
        except TimeoutError as exc:
            raise TouchError(f"the touch injector at {self.url} sent nothing for {timeout_s:g} s") from exc
        except OSError as exc:
            if isinstance(exc, TouchError):
                raise
            raise TouchError(f"reading from the touch injector at {self.url}: {exc}") from exc
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("ascii", errors="replace").strip()


class SocketChannel:
    """A ``TouchChannel`` over one socket; subclasses say how a command is spelled."""

    def __init__(self, url: str, sock: socket.socket, space: TouchSpace, max_contacts: int) -> None:
        self.url = url
        self.sock = sock
        self.space = space
        self.rules = ContactRules(max_contacts)
        self._buf: list[str] = []
        self._closed = False

    @property
    def max_contacts(self) -> int:
        return self.rules.max_contacts

    # -- spelling (overridden) -------------------------------------------------------------
    def _down(self, contact: int, x: int, y: int) -> str:
        raise NotImplementedError

    def _move(self, contact: int, x: int, y: int) -> str:
        raise NotImplementedError

    # -- the protocol ----------------------------------------------------------------------
    def down(self, contact: int, x: float, y: float) -> None:
        self.rules.press(contact)
        self._buf.append(self._down(contact, *self.space.map(x, y)))

    def move(self, contact: int, x: float, y: float) -> None:
        self.rules.move(contact)
        self._buf.append(self._move(contact, *self.space.map(x, y)))

    def up(self, contact: int) -> None:
        self.rules.lift(contact)
        self._buf.append(f"u {contact}\n")

    def commit(self) -> None:
        self._buf.append("c\n")
        data = "".join(self._buf).encode("ascii")
        self._buf.clear()
        self.rules.commit()
        self.send_raw(data)

    def send_raw(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            self._fail_safe()
            raise TouchError(f"lost the touch injector at {self.url}: {exc}") from exc

    def lift_all_commands(self, contacts: list[int]) -> str:
        return "".join(f"u {c}\n" for c in contacts) + "c\n"

    def reset(self) -> None:
        self._buf.clear()
        self.send_raw(self.lift_all_commands(self.rules.lift_all()).encode("ascii"))

    def _fail_safe(self) -> None:
        """After a failed send: one last try at lifting everything, then give up."""
        left = self.rules.lift_all()
        self._buf.clear()
        with contextlib.suppress(OSError):
            self.sock.sendall(self.lift_all_commands(left).encode("ascii"))

    def farewell(self) -> bytes:
        """What the injector is told after the final lift-all, before the socket closes."""
        return b""

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.reset()
            self.sock.sendall(self.farewell())
        except (TouchError, OSError):
            pass
        finally:
            self.sock.close()

    def __enter__(self) -> SocketChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
