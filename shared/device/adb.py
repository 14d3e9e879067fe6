"""``AdbDevice``: the game's device through an ADB server, spoken to over TCP by adbutils
(no ``adb`` process per command). The same path reaches MuMu (through the local ADB
server) and the simulator (an ADB server of its own)."""

from __future__ import annotations

import contextlib
import importlib
import logging
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import adbutils
from adbutils.errors import AdbConnectionError  # not re-exported by ``adbutils``

from shared.device import android, injector
from shared.device.base import DeviceInfo
from shared.device.capture import CAPTURE_NAMES, Capture, PngCapture, RawCapture, raw_size
from shared.device.display import PROBE_COMMAND, Display, from_frame, parse_probe
from shared.device.errors import BadFrame, DeviceError, DeviceOffline, NoDevice, Unauthorized
from shared.device.frame import Frame
from shared.device.stream import COMMAND as STREAM_COMMAND
from shared.device.stream import IDLE_S, StreamCapture

if TYPE_CHECKING:
    from shared.device.touch import TouchChannel

log = logging.getLogger(__name__)

T = TypeVar("T")
STATE_WAIT_S = 3.0  # a freshly connected emulator is "offline" for a moment
TOUCH_KINDS = ("bangcheater", "minitouch")
NO_EMULATOR = "no emulator at {addr}: start MuMu, enable ADB, or set AUTOBANG_DEVICE=sim"


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether anything accepts a TCP connection at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def start_local_server(host: str, port: int) -> str:
    """``adb start-server`` when nothing answers on the local ADB port; "" when it answers
    afterwards, else why not (adb missing, start failed)."""
    adb = shutil.which("adb")
    if adb is None:
        return "adb is not installed (Android platform-tools)"
    try:
        subprocess.run([adb, "-P", str(port), "start-server"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"adb start-server failed: {exc}"
    return "" if answers(host, port) else "adb start-server did not bring up a server"


def read_all(sock: socket.socket) -> tuple[bytes, float]:
    """Everything until the peer closes, read into one growing buffer (a raw 1920x1080
    frame is 8 MB: no list of chunks to join), and when the first byte came."""
    buf = bytearray(1 << 22)
    view = memoryview(buf)
    n = 0
    first = 0.0
    while True:
        if n == len(buf):
            view.release()
            buf.extend(bytes(len(buf)))
            view = memoryview(buf)
        got = sock.recv_into(view[n:])
        if not got:
            break
        if n == 0:
            first = time.monotonic()
        n += got
    view.release()
    del buf[n:]
    return bytes(buf), first or time.monotonic()


class _Connection(adbutils.AdbConnection):
    """adbutils runs ``adb start-server`` (the default port, whatever server was asked for)
    when a connection is refused; here a refused connection is an answer."""

    def _safe_connect(self) -> socket.socket:
        sock: socket.socket = self._create_socket()  # type: ignore[no-untyped-call]
        return sock


class Client(adbutils.AdbClient):
    """An ``AdbClient`` that never starts an ADB server behind the caller's back."""

    def __init__(self, host: str, port: int, socket_timeout: float) -> None:
        super().__init__(host=host, port=port, socket_timeout=socket_timeout)
        self._timeout = socket_timeout

    def make_connection(self, timeout: float | None = None) -> adbutils.AdbConnection:
        try:
            conn = _Connection(self.host, self.port)
        except adbutils.AdbError as exc:
            raise AdbConnectionError(f"no ADB server at {self.host}:{self.port}: {exc}") from exc
        conn.conn.settimeout(timeout or self._timeout)
        return conn


class _Stream:
    """A ``screenrecord`` connection as a ``ByteStream``; ``close`` unblocks a pending read."""

    def __init__(self, conn: adbutils.AdbConnection) -> None:
        self._conn = conn
        self._sock: socket.socket = conn.conn
        self._closed = threading.Lock()  # the reader and close() may both close it

    def read(self, n: int) -> bytes | None:
        try:
            return self._sock.recv(n)
        except TimeoutError:
            return None  # a pause: the frame so far is complete
        except OSError:
            return b""

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        if self._closed.acquire(blocking=False):
            self._conn.close()


class AdbDevice:
    """A device an ADB server lists as ``serial`` (already connected and in state device)."""

    def __init__(
        self,
        client: adbutils.AdbClient,
        serial: str,
        info: DeviceInfo,
        *,
        capture: str = "auto",
        touch: str = "auto",
        bangcheater_port: int = 12345,
        package: str = "com.bilibili.star.bili",
        timeout_s: float = 10.0,
    ) -> None:
        self._client = client
        self._dev = client.device(serial)
        self.serial = serial
        self._info = info
        self._capture_pref = capture
        self._capture: Capture | None = None
        self._touch_pref = touch
        self._touch_url: str | None = None
        self._forwards: list[str] = []
        self._bangcheater_port = bangcheater_port
        self._package = package
        self._timeout = timeout_s
        self._lock = threading.Lock()  # one capture choice / forward setup at a time
        self._display: Display | None = None
        self._injector: adbutils.AdbConnection | None = None  # a minitouch this device started

    @property
    def info(self) -> DeviceInfo:
        return self._info

    # -- ADB plumbing ------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one ADB request; its failure as the ``DeviceError`` a user can act on."""
        try:
            return fn()
        except DeviceError:
            raise
        except adbutils.AdbTimeout as exc:
            raise DeviceError(f"{what} on {self.serial}: no answer in {self._timeout:g} s") from exc
        except (adbutils.AdbError, OSError, EOFError) as exc:
            raise device_error(f"{what} on {self.serial}", str(exc), self.serial) from exc

    def exec_out(self, command: str) -> bytes:
        """``exec:command`` (raw bytes, no pty): everything it writes until it exits."""
        return self.exec_timed(command)[0]

    def exec_timed(self, command: str) -> tuple[bytes, float]:
        """``exec_out``, and when (``time.monotonic``) its first byte came: a screenshot
        shows the screen from before that, however long the rest takes to arrive."""

        def run() -> tuple[bytes, float]:
            conn = self._dev.open_transport(timeout=self._timeout)
            try:
                conn.send_command("exec:" + command)
                conn.check_okay()
                return read_all(conn.conn)
            finally:
                conn.close()

        return self._call(command, run)

    def shell(self, command: str) -> str:
        out: str = self._call(command, lambda: self._dev.shell(command, timeout=self._timeout))
        return out

    def _open_stream(self) -> _Stream:
        def run() -> _Stream:
            conn = self._dev.open_transport(timeout=self._timeout)
            conn.send_command("exec:" + STREAM_COMMAND)
            conn.check_okay()
            conn.conn.settimeout(IDLE_S)  # a pause ends a frame; a still screen sends nothing
            return _Stream(conn)

        return self._call("screenrecord", run)

    # -- capture -----------------------------------------------------------------------
    def make_capture(self, name: str) -> Capture:
        if name == "png":
            return PngCapture(self.exec_out, self.exec_timed)
        if name == "raw":
            return RawCapture(self.exec_out, self.exec_timed)
        if name == "stream":
            return StreamCapture(self._open_stream, first_frame_s=self._timeout)
        raise ValueError(f"capture backend {name!r}: use auto or one of {', '.join(CAPTURE_NAMES)}")

    def _chosen_capture(self) -> Capture:
        with self._lock:
            if self._capture is None:
                if self._capture_pref == "auto":
                    from shared.device.benchmark import choose_capture

                    self._capture, why = choose_capture(self)
                else:
                    self._capture, why = self.make_capture(self._capture_pref), "set by AUTOBANG_CAPTURE"
                detail = f"{self._info.detail}; capture {self._capture.name} ({why})".lstrip("; ")
                self._info = replace(self._info, capture=self._capture.name, detail=detail)
            return self._capture

    def screencap(self) -> Frame:
        return self._chosen_capture().grab()

    def screencap_timed(self) -> tuple[Frame, float]:
        """A screenshot and the latest time (``time.monotonic``) it can show: when its
        answer began (a stream's frame has no such time: taken as now)."""
        capture = self._chosen_capture()
        if isinstance(capture, PngCapture | RawCapture):
            return capture.grab_timed()
        return capture.grab(), time.monotonic()

    # -- the display -------------------------------------------------------------------
    def display(self) -> Display:
        """The display's size and rotation, learnt once (``wm size``, else a raw frame's
        header); ``UnsupportedDisplay`` when it is not 16:9."""
        if self._display is None:
            found = parse_probe(self.shell(PROBE_COMMAND))
            if found is None:
                size = raw_size(self.exec_out("screencap"))
                found = from_frame(*size) if size else Display(source="assumed: the device named no size")
            self._display = found.check(self.serial)
            detail = f"{self._info.detail}; display {found.size} ({found.source})".lstrip("; ")
            self._info = replace(self._info, detail=detail, display=found.size)
        return self._display

    # -- input -------------------------------------------------------------------------
    def tap(self, x: int, y: int) -> None:
        self.shell(android.tap_command(*self.display().scale(x, y)))

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None:
        d = self.display()
        self.shell(android.swipe_command(*d.scale(x1, y1), *d.scale(x2, y2), duration_ms))

    def back(self) -> None:
        self.shell(android.back_command())

    # -- the game ----------------------------------------------------------------------
    def start_game(self) -> None:
        out = self.shell(android.start_command(self._package))
        if android.start_failed(out):
            raise DeviceError(
                f"the game ({self._package}) is not installed on {self.serial}: "
                "install it, or set AUTOBANG_GAME_PACKAGE to the client's package"
            )

    def stop_game(self) -> None:
        self.shell(android.stop_command(self._package))

    def foreground_app(self) -> str:
        return android.parse_foreground(self.shell(android.FOCUS_COMMAND))

    # -- multitouch --------------------------------------------------------------------
    def _forward(self, kind: str) -> str:
        remote = f"tcp:{self._bangcheater_port}" if kind == "bangcheater" else "localabstract:minitouch"
        port = self._call(f"forward to {remote}", lambda: self._dev.forward_port(remote))
        self._forwards.append(f"tcp:{port}")
        # The forward listens on the ADB server's machine. minitouch's header gives its
        # range in the panel's natural orientation: it needs the display's rotation;
        # bangcheater takes display pixels: it needs the display's size.
        d = self.display()
        query = f"?rotation={d.rotation}" if kind == "minitouch" else f"?display={d.size}"
        return f"{kind}://{self._client.host}:{port}{query}"

    def touch_url(self) -> str:
        with self._lock:
            if self._touch_url is not None and not self._forward_listed(self._touch_url):
                # The ADB server forgot the forward (the emulator or its server restarted):
                # a URL to a port nobody listens on would leave the song untouched.
                log.info("touch forward %s is gone: setting it up again", self._touch_url)
                self._touch_url = None
                self._forwards.clear()
            if self._touch_url is None:
                self._touch_url = self._find_touch()
                kind = self._touch_url.split("://", 1)[0]
                self._info = replace(self._info, touch=kind)
            return self._touch_url

    def _forward_listed(self, url: str) -> bool:
        local = f"tcp:{urlsplit(url).port}"  # the URL may carry a query (?rotation=, ?display=)
        items = self._call("list-forward", self._dev.forward_list)
        return any(item.local == local for item in items)

    def _find_touch(self) -> str:
        if self._touch_pref != "auto":
            return self._forward(self._touch_pref)
        open_touch = _open_touch()
        tried = []
        for kind in TOUCH_KINDS:  # one already running: bangcheater (the product's own) first
            url = self._forward(kind)
            try:
                open_touch(url).close()
                return url
            except (DeviceError, OSError, ValueError) as exc:
                tried.append(f"{kind}: {exc}")
        try:
            return self._start_minitouch()
        except (DeviceError, OSError, LookupError) as exc:
            tried.append(f"minitouch (pushed): {exc}")
        raise DeviceError(
            f"no multitouch injector runs on {self.serial} (tried in order: {'; '.join(tried)}): "
            f"{injector.ADVICE}"
        )

    def _start_minitouch(self) -> str:
        """Push the shipped minitouch for the device's ABI, start it and wait for its
        header (``shared.device.injector``); its ``minitouch://`` URL."""
        abi = injector.parse_abi(self.shell(injector.ABI_COMMAND))
        binary = injector.binary_for(abi)
        self._call(
            "push minitouch",
            lambda: self._dev.sync.push(binary.read_bytes(), injector.DEVICE_PATH, mode=0o755),
        )
        self.shell(f"chmod 755 {injector.DEVICE_PATH}")  # push's mode is not kept everywhere
        conn = self._call(
            "start minitouch", lambda: self._dev.shell(injector.start_command(), stream=True, timeout=None)
        )
        self._injector = conn  # it runs as long as this connection is open
        port = self._call(
            "forward to minitouch",
            lambda: self._dev.forward_port(f"localabstract:{injector.SOCKET_NAME}"),
        )
        self._forwards.append(f"tcp:{port}")
        url = f"minitouch://{self._client.host}:{port}?rotation={self.display().rotation}"
        open_touch = _open_touch()
        deadline = time.monotonic() + injector.START_WAIT_S
        while True:
            try:
                open_touch(url).close()
                log.info("minitouch pushed and started on %s (%s, %s)", self.serial, abi, binary.parent.name)
                return url
            except (DeviceError, OSError, ValueError) as exc:
                said = _ended(conn)
                if said is not None or time.monotonic() > deadline:
                    self._stop_injector()
                    why = (
                        f"it exited: {said.strip()[:300]!r}"
                        if said
                        else f"no header in {injector.START_WAIT_S:g} s ({exc})"
                    )
                    raise DeviceError(f"{binary.parent.name} build on {abi}: {why}") from exc
                time.sleep(0.1)

    def _stop_injector(self) -> None:
        conn, self._injector = self._injector, None
        if conn is not None:
            with contextlib.suppress(OSError, adbutils.AdbError):
                conn.close()

    def touch(self) -> TouchChannel:
        channel: TouchChannel = _open_touch()(self.touch_url())
        return channel

    # -- lifetime ----------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            capture, self._capture = self._capture, None
        if capture is not None:
            capture.close()
        self._stop_injector()  # the shell connection ends: the device ends the minitouch it ran
        for local in self._forwards:
            try:
                self._dev.forward_remove(local, raise_non_found=False)
            except (adbutils.AdbError, OSError):
                log.debug("removing forward %s", local, exc_info=True)
        self._forwards.clear()


def _open_touch() -> Callable[[str], Any]:
    """The play engine's ``open_touch(url)`` (``shared.device.touch``)."""
    try:
        module = importlib.import_module("shared.device.touch")
    except ImportError as exc:
        raise DeviceError("multitouch needs shared.device.touch (the touch clients), not installed") from exc
    fn: Callable[[str], Any] = module.open_touch
    return fn


def _ended(conn: adbutils.AdbConnection) -> str | None:
    """What a started program wrote when it has exited (its connection closed); None while
    it runs."""
    sock: socket.socket = conn.conn
    out = b""
    sock.settimeout(0.05)
    try:
        while chunk := sock.recv(4096):
            out += chunk
    except TimeoutError:
        return None  # still running
    except OSError as exc:
        return out.decode(errors="replace") or str(exc)
    return out.decode(errors="replace") or "(nothing)"


def device_error(what: str, message: str, serial: str) -> DeviceError:
    """An ADB server's answer as the matching error (offline, unauthorised, absent)."""
    low = message.lower()
    if "unauthorized" in low:
        return Unauthorized(
            f"{what}: {serial} is unauthorised: accept the USB-debugging prompt on the device "
            "(or restart MuMu's ADB)"
        )
    if "offline" in low:
        return DeviceOffline(f"{what}: {serial} is offline: wait for the emulator to boot, or restart it")
    if "not found" in low or "no devices" in low or "refused" in low:
        return NoDevice(f"{what}: {serial} is not connected ({message})")
    if "closed" in low or "eof" in low or "expected" in low:
        return BadFrame(f"{what}: the device closed the connection early ({message})")
    return DeviceError(f"{what}: {message}")


def wait_ready(client: adbutils.AdbClient, serial: str | None, where: str) -> str:
    """The serial to use once the server lists it as ``device``; the matching error else."""
    deadline = time.monotonic() + STATE_WAIT_S
    while True:
        try:
            listed = {d.serial: d.state for d in client.list()}
        except (adbutils.AdbError, OSError) as exc:
            raise NoDevice(f"the ADB server at {where} did not answer host:devices: {exc}") from exc
        if serial is None:
            if len(listed) > 1:
                raise DeviceError(
                    f"the ADB server at {where} lists {len(listed)} devices ({', '.join(sorted(listed))}): "
                    "name one as adb://HOST:PORT/SERIAL"
                )
            if not listed:
                raise NoDevice(f"the ADB server at {where} lists no device")
            serial = next(iter(listed))
        state = listed.get(serial)
        if state == "device":
            return serial
        if state is None:
            raise NoDevice(f"the ADB server at {where} does not list {serial}")
        if state not in ("offline", "connecting", "authorizing") or time.monotonic() > deadline:
            raise device_error(f"{where}", state, serial)
        time.sleep(0.2)
