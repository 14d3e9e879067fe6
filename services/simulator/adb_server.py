"""The simulator's ADB server: the smart-socket protocol a real ADB server speaks on its
port, so adbutils and the stock ``adb`` client drive the simulated emulator unchanged.

Framing: a client sends 4 hex digits of length and the request; the server answers
``OKAY`` (then the payload, often itself length-prefixed) or ``FAIL`` + a length-prefixed
message. Host services (``host:version``, ``host:devices``, ``host-serial:S:forward:...``)
answer on the connection; ``host:transport:S`` and friends bind the connection to the
device, after which one device service (``shell:``, ``exec:``, ``tcp:``,
``localabstract:``) takes the connection over. ``forward`` listens on 127.0.0.1:L and
tunnels each accepted connection to the device-side endpoint.

The device itself is a ``Backend`` (``services.simulator.emulator.Emulator``): this module
is protocol only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

# The stock client (Debian's adb 1.0.41) restarts a server whose version differs.
ADB_SERVER_VERSION = 41
TRANSPORT_ID = 1
DEVICE_DETAIL = "product:autobang_sim model:AutoBangSim device:sim"
# Advertised device features: no shell_v2 (clients use plain ``shell:``), no stat_v2/ls_v2
# (sync stays at v1 STAT/LIST).
FEATURES = "cmd,fixed_push_mkdir,apex,abb,fixed_push_symlink_timestamp,abb_exec"


class Backend(Protocol):
    """What the ADB server needs from the device behind it."""

    serial: str

    def online(self) -> bool:
        """False while the device is unreachable (an ADB-disconnect fault)."""
        ...

    async def run(
        self, command: str, writer: asyncio.StreamWriter, hung_up: Callable[[], bool] = lambda: False
    ) -> None:
        """Run a shell command, writing its output; the server closes the stream after.
        ``hung_up`` tells a long-running command that the client has closed its end."""
        ...

    def endpoint(self, spec: str) -> tuple[str, int] | None:
        """Where a device-side socket (``tcp:PORT``, ``localabstract:NAME``) really
        listens, or None when nothing does."""
        ...

    @property
    def files(self) -> dict[str, bytes]:
        """The device's files that ``sync:`` (adb push / pull) reads and writes."""
        ...

    @property
    def modes(self) -> dict[str, int]:
        """Each file's permission bits (the mode ``adb push`` sends; ``chmod``)."""
        ...


class ProtocolError(Exception):
    pass


def block(payload: str | bytes) -> bytes:
    """A length-prefixed payload (4 hex digits)."""
    data = payload.encode() if isinstance(payload, str) else payload
    return b"%04x" % len(data) + data


def okay(payload: str | bytes | None = None) -> bytes:
    return b"OKAY" + (block(payload) if payload is not None else b"")


def fail(message: str) -> bytes:
    return b"FAIL" + block(message)


async def read_request(reader: asyncio.StreamReader) -> str:
    head = await reader.readexactly(4)
    try:
        n = int(head, 16)
    except ValueError as exc:
        raise ProtocolError(f"bad length prefix {head!r}") from exc
    return (await reader.readexactly(n)).decode("utf-8", "replace")


@dataclass
class Forward:
    local: str  # tcp:L
    remote: str  # tcp:R or localabstract:NAME
    server: asyncio.Server


@dataclass
class AdbServer:
    backend: Backend
    host: str = "127.0.0.1"
    port: int = 0
    forwards: dict[str, Forward] = field(default_factory=dict)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        for fwd in list(self.forwards.values()):
            fwd.server.close()
        self.forwards.clear()
        for t in list(self._tasks):
            t.cancel()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    # -- connection handling -----------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._session(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ProtocolError) as exc:
            log.debug("adb connection ended: %s", exc)
        except asyncio.CancelledError:
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        bound = False  # after host:transport the next request is a device service
        while True:
            request = await read_request(reader)
            if bound and request.startswith("host:"):
                # A host request on a bound connection (the stock client's forward) is
                # about the bound device.
                request = f"host-serial:{self.backend.serial}:{request[len('host:') :]}"
            elif bound:
                await self._device_service(request, reader, writer)
                return
            reply, bind, keep = await self._host_service(request)
            writer.write(reply)
            await writer.drain()
            if bind:
                bound = True
            elif not keep:
                return

    async def _host_service(self, req: str) -> tuple[bytes, bool, bool]:
        """(reply, binds the connection to the device, keeps it open for another request)."""
        b = self.backend
        if req == "host:version":
            return okay(f"{ADB_SERVER_VERSION:04x}"), False, False
        if req == "host:kill":
            return b"OKAY", False, False
        if req in ("host:devices", "host:devices-l"):
            state = "device" if b.online() else "offline"
            if req == "host:devices":
                return okay(f"{b.serial}\t{state}\n"), False, False
            line = f"{b.serial:<22} {state} {DEVICE_DETAIL} transport_id:{TRANSPORT_ID}\n"
            return okay(line), False, False
        if req.startswith("host:connect:"):
            return okay(f"already connected to {req[len('host:connect:') :]}"), False, False
        if req.startswith("host:disconnect:"):
            return okay(f"disconnected {req[len('host:disconnect:') :]}"), False, False
        if req in ("host:list-forward",):
            return okay(self._forward_list()), False, False

        # Requests that name the device: host:transport..., host-serial:S:..., host-transport-id:N:...
        target, rest = _split_target(req)
        if target is None:
            return fail(f"unknown host service '{req}'"), False, False
        if target != "any" and target not in (b.serial, str(TRANSPORT_ID)):
            return fail(f"device '{target}' not found"), False, False
        if not b.online():
            return (
                fail(f"device offline ({b.serial})" if target != "any" else "no devices/emulators found"),
                False,
                False,
            )
        if rest == "transport":
            return b"OKAY", True, True
        if rest == "tport":
            return b"OKAY" + struct.pack("<Q", TRANSPORT_ID), True, True
        if rest == "features":
            return okay(FEATURES), False, False
        if rest == "get-state":
            return okay("device"), False, False
        if rest in ("get-serialno", "get-devpath"):
            return okay(b.serial if rest == "get-serialno" else "unknown"), False, False
        if rest.startswith("wait-for-"):
            return b"OKAYOKAY", False, False
        if rest == "list-forward":
            return okay(self._forward_list()), False, False
        if rest.startswith("forward:"):
            return await self._forward(rest[len("forward:") :]), False, False
        if rest == "killforward-all":
            for fwd in list(self.forwards.values()):
                fwd.server.close()
            self.forwards.clear()
            return b"OKAYOKAY", False, False
        if rest.startswith("killforward:"):
            local = rest[len("killforward:") :]
            if local not in self.forwards:
                return fail(f"listener '{local}' not found"), False, False
            fwd = self.forwards.pop(local)
            fwd.server.close()
            return b"OKAYOKAY", False, False
        return fail(f"unknown host service '{req}'"), False, False

    def _forward_list(self) -> str:
        return "".join(f"{self.backend.serial} {f.local} {f.remote}\n" for f in self.forwards.values())

    async def _forward(self, spec: str) -> bytes:
        norebind = spec.startswith("norebind:")
        if norebind:
            spec = spec[len("norebind:") :]
        local, sep, remote = spec.partition(";")
        if not sep or not local.startswith("tcp:"):
            return fail(
                f"cannot bind listener: unsupported forward '{spec}' (tcp:L;tcp:R or tcp:L;localabstract:N)"
            )
        if self.backend.endpoint(remote) is None and not remote.startswith(("tcp:", "localabstract:")):
            return fail(f"unsupported remote '{remote}'")
        if local in self.forwards:
            if norebind:
                return fail(f"cannot rebind existing socket {local}")
            self.forwards[local].server.close()
            del self.forwards[local]
        try:
            port = int(local[4:])
        except ValueError:
            return fail(f"bad local port in '{local}'")

        async def tunnel(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            await self._tunnel(remote, r, w)

        try:
            server = await asyncio.start_server(tunnel, self.host, port)
        except OSError as exc:
            return fail(f"cannot bind listener: {exc.strerror or exc}")
        bound = int(server.sockets[0].getsockname()[1])
        local = f"tcp:{bound}"
        self.forwards[local] = Forward(local, remote, server)
        # The second OKAY says the listener is up; tcp:0 also gets the port it bound.
        return b"OKAYOKAY" + (block(str(bound)) if port == 0 else b"")

    async def _tunnel(self, remote: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        target = self.backend.endpoint(remote) if self.backend.online() else None
        if target is None:
            writer.close()  # as adb does when nothing listens on the device side
            return
        try:
            r2, w2 = await asyncio.open_connection(*target)
        except OSError:
            writer.close()
            return
        await _pipe_both(reader, writer, r2, w2)

    # -- device services ---------------------------------------------------------------------

    async def _device_service(
        self, req: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if not self.backend.online():
            writer.write(fail("device offline"))
            await writer.drain()
            return
        for prefix in ("shell:", "exec:"):
            if req.startswith(prefix):
                writer.write(b"OKAY")
                await writer.drain()
                await self.backend.run(req[len(prefix) :], writer, reader.at_eof)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
                return
        if req == "sync:":
            writer.write(b"OKAY")
            await writer.drain()
            await self._sync(reader, writer)
            return
        if req.startswith(("tcp:", "localabstract:")):
            target = self.backend.endpoint(req)
            if target is None:
                writer.write(fail(f"closed: nothing listens on {req}"))
                await writer.drain()
                return
            r2, w2 = await asyncio.open_connection(*target)
            writer.write(b"OKAY")
            await writer.drain()
            await _pipe_both(reader, writer, r2, w2)
            return
        writer.write(fail(f"unknown device service '{req}'"))
        await writer.drain()

    async def _sync(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The file sync protocol (8-byte headers: id, little-endian length): STAT, SEND
        (DATA chunks, DONE), RECV, LIST (empty), QUIT; files live in the backend (in memory:
        at most ``PUSH_MAX_BYTES`` in all, so a client cannot fill the host's memory)."""
        files = self.backend.files
        while True:
            head = await reader.readexactly(8)
            cmd, n = head[:4], struct.unpack("<I", head[4:])[0]
            arg = (await reader.readexactly(n)).decode("utf-8", "replace") if cmd != b"QUIT" else ""
            if cmd == b"QUIT":
                return
            if cmd in (b"STAT", b"LST2", b"STA2"):
                body = files.get(arg)
                mode = 0o100000 | self.backend.modes.get(arg, 0o644) if body is not None else 0
                writer.write(b"STAT" + struct.pack("<3I", mode, len(body or b""), 0))
            elif cmd == b"SEND":
                path, _, mode_text = arg.rpartition(",")
                if not path:  # no ",mode": a plain file
                    path, mode_text = arg, str(0o644)
                data = bytearray()
                while True:
                    h = await reader.readexactly(8)
                    kind, size = h[:4], struct.unpack("<I", h[4:])[0]
                    if kind == b"DATA":
                        others = sum(len(v) for k, v in files.items() if k != path)
                        if size > SYNC_CHUNK_MAX or others + len(data) + size > PUSH_MAX_BYTES:
                            writer.write(
                                _sync_fail(f"no space left: pushed files are kept to {PUSH_MAX_BYTES} bytes")
                            )
                            await writer.drain()
                            return
                        data += await reader.readexactly(size)
                    elif kind == b"DONE":
                        break
                    else:
                        writer.write(_sync_fail(f"unexpected {kind!r} in SEND"))
                        await writer.drain()
                        return
                files[path] = bytes(data)
                self.backend.modes[path] = int(mode_text) & 0o7777 if mode_text.isdigit() else 0o644
                writer.write(b"OKAY" + struct.pack("<I", 0))
            elif cmd == b"RECV":
                body = files.get(arg)
                if body is None:
                    writer.write(_sync_fail(f"no such file {arg}"))
                else:
                    for i in range(0, len(body), 64 * 1024):
                        chunk = body[i : i + 64 * 1024]
                        writer.write(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
                    writer.write(b"DONE" + struct.pack("<I", 0))
            elif cmd == b"LIST":
                writer.write(b"DONE" + bytes(16))
            else:
                writer.write(_sync_fail(f"unknown sync command {cmd!r}"))
                await writer.drain()
                return
            await writer.drain()


# Pushed files live in memory: all of them together at most this much (a real device's
# storage is finite too; the game's setup pushes kilobytes).
PUSH_MAX_BYTES = 64 << 20
SYNC_CHUNK_MAX = 64 * 1024  # adb's own SYNC_DATA_MAX


def _sync_fail(message: str) -> bytes:
    data = message.encode()
    return b"FAIL" + struct.pack("<I", len(data)) + data


def _split_target(req: str) -> tuple[str | None, str]:
    """(device named, the rest) of a device-scoped host request, or (None, req)."""
    if req.startswith("host:transport:"):
        return req[len("host:transport:") :], "transport"
    if req in ("host:transport-any", "host:transport-local", "host:transport-usb"):
        return "any", "transport"
    if req.startswith("host:transport-id:"):
        return req[len("host:transport-id:") :], "transport"
    if req.startswith("host:tport:serial:"):
        return req[len("host:tport:serial:") :], "tport"
    if req in ("host:tport:any", "host:tport:local", "host:tport:usb"):
        return "any", "tport"
    for prefix in ("host-serial:", "host-transport-id:"):
        if req.startswith(prefix):
            # The serial may itself contain ':' (127.0.0.1:7555): the service is the last
            # known word.
            body = req[len(prefix) :]
            for svc in ("forward:", "killforward", "list-forward", "features", "get-", "wait-for-"):
                i = body.find(":" + svc)
                if i >= 0:
                    return body[:i], body[i + 1 :]
            return None, req
    for prefix in ("host:", "host-local:", "host-usb:"):
        if req.startswith(prefix):
            rest = req[len(prefix) :]
            if rest in ("features", "get-state", "get-serialno", "get-devpath") or rest.startswith(
                ("forward:", "killforward", "wait-for-")
            ):
                return "any", rest
    return None, req


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _pipe_both(
    r1: asyncio.StreamReader, w1: asyncio.StreamWriter, r2: asyncio.StreamReader, w2: asyncio.StreamWriter
) -> None:
    await asyncio.gather(_pipe(r1, w2), _pipe(r2, w1))
