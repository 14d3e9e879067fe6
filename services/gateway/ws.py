"""``WS /ws``: a snapshot of every module, then replay from the client's ``since`` cursors,
then live events from the hub, each exactly once and in order (docs/platform.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from services.gateway.context import GatewayDep
from services.gateway.hub import Client, Hub, StreamId, trimmed_marker, was_trimmed
from services.gateway.module_view import snapshot_module
from shared import keys
from shared.modules import MODULE_NAMES
from shared.runtime.connection import TextRedis
from shared.runtime.publish import wire
from shared.runtime.streamids import is_valid_id, parse_id

FRAME_CHARS = 1 << 20  # a batch frame stops growing here (1 MiB of JSON, ~5,000 log events)
DOC = (
    "Events: `WS /ws[?since=<module>:<id>,...][&batch=1]` sends a `SnapshotMessage`, then "
    "events (`WsMessage`); see docs/platform.md."
)

router = APIRouter()


@router.websocket("/ws")
async def ws(socket: WebSocket, gw: GatewayDep, since: str = "", batch: bool = False) -> None:
    await stream_events(socket, since, gw.hub, gw.r, batch=batch)


def parse_since(since: str, units: tuple[str, ...] = MODULE_NAMES) -> dict[str, str]:
    """``scriptor:1-0,fetch:5-2`` -> {module: id}; unknown modules and bad ids are ignored."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in since.split(","))):
        module, _, sid = part.rpartition(":")
        if module in units and is_valid_id(sid):
            out[module] = sid
    return out


async def stream_events(
    socket: WebSocket, since: str, hub: Hub, r: TextRedis, *, batch: bool = False
) -> None:
    """Snapshot, then replay from ``since`` (with a ``trimmed`` marker where the stream no
    longer holds what was asked), then live events, each exactly once and in order."""
    await socket.accept()
    client = hub.add()  # live events buffer from here on; replay below fills the gap
    try:
        cursors = parse_since(since, hub.units)
        snapshot: dict[str, Any] = {}
        for m in hub.units:
            state = await asyncio.to_thread(snapshot_module, r, m)
            snapshot[m] = state.model_dump(mode="json")
        await socket.send_text(json.dumps({"type": "snapshot", "modules": snapshot}))
        sent: dict[str, StreamId] = {}
        for m in hub.units:
            if m not in cursors:
                sent[m] = parse_id(snapshot[m]["last_id"])
                continue
            sent[m] = parse_id(cursors[m])
            info = (
                await hub.r.xinfo_stream(keys.events_stream(m))
                if await hub.r.exists(keys.events_stream(m))
                else None
            )
            if info is not None and was_trimmed(info, sent[m]):
                await socket.send_text(trimmed_marker(m, info, cursors[m]))
            start = f"({cursors[m]}"
            while True:
                entries = await hub.r.xrange(keys.events_stream(m), min=start, count=1000)
                texts = [wire(m, entry_id, fields) for entry_id, fields in entries]
                if batch and texts:
                    await socket.send_text("[" + ",".join(texts) + "]")
                else:
                    for text in texts:
                        await socket.send_text(text)
                if entries:
                    sent[m] = parse_id(entries[-1][0])
                if len(entries) < 1000:
                    break
                start = f"({entries[-1][0]}"
        await pump(socket, client, sent, batch)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(client)
        if socket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await socket.close()


CLOSE_SLOW = (4008, "too slow: reconnect with since=<last ids>")


async def pump(socket: WebSocket, client: Client, sent: dict[str, StreamId], batch_frames: bool) -> None:
    """Live events to the socket until it goes away, or until it falls ``queue_max``
    events behind: then it is closed with 4008 even while a send waits on a reader that
    stopped reading (the close frame follows what is already in flight)."""

    async def receive() -> None:
        try:
            while True:  # the client may send pings; a disconnect ends the socket
                msg = await socket.receive()
                if msg["type"] == "websocket.disconnect":
                    return
        finally:
            client.close()

    reader = asyncio.create_task(receive())
    sender = asyncio.create_task(send_chunks(socket, client, sent, batch_frames))
    overflow = asyncio.create_task(client.overflow.wait())
    try:
        await asyncio.wait({reader, sender, overflow}, return_when=asyncio.FIRST_COMPLETED)
        if client.overflowed:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await sender
            with contextlib.suppress(OSError, RuntimeError):
                await socket.close(code=CLOSE_SLOW[0], reason=CLOSE_SLOW[1])
    finally:
        for task in (reader, sender, overflow):
            task.cancel()


async def send_chunks(
    socket: WebSocket, client: Client, sent: dict[str, StreamId], batch_frames: bool
) -> None:
    """Send what the hub hands the client, skipping what the replay already sent. With
    ``batch`` (``/ws?batch=1``) every frame is a JSON array of all the events ready at that
    moment (up to ``FRAME_CHARS``): one send per burst instead of per event. Sends go to the
    raw ASGI ``send``: the socket is accepted, so Starlette's state checks add nothing."""
    send = socket._send  # a disconnect surfaces as OSError (uvicorn's ClientDisconnected)
    try:
        while True:
            await client.wake.wait()
            if client.closed or client.overflowed:
                return
            chunks = client.take()
            if batch_frames:
                parts: list[str] = []
                size = 0
                for chunk in chunks:
                    if chunk.marker:
                        if parts:
                            await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
                            parts, size = [], 0
                        await send({"type": "websocket.send", "text": chunk.marker})
                        continue
                    texts = chunk.after(sent)
                    part = chunk.joined if texts is None else ",".join(texts)
                    if part:
                        parts.append(part)
                        size += len(part)
                    if size >= FRAME_CHARS:
                        await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
                        parts, size = [], 0
                        await asyncio.sleep(0)
                if parts:
                    await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
            else:
                for chunk in chunks:
                    if chunk.marker:
                        await send({"type": "websocket.send", "text": chunk.marker})
                    texts = chunk.after(sent)
                    for text in chunk.texts if texts is None else texts:
                        await send({"type": "websocket.send", "text": text})
                    # A send that need not wait does not yield: let the reader run between
                    # chunks, or under overload it falls behind the stream's trimming.
                    await asyncio.sleep(0)
    except OSError:
        return  # the client went away mid-send
