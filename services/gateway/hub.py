"""Event fan-out: one ``XREAD BLOCK`` reader over every module's stream. Each read becomes
one ``Chunk`` of already-encoded events, shared by every socket: a socket's backlog is a
list of references to chunks, so the per-event work is done once, not once per socket.
A socket that falls behind is closed; it reconnects with its cursor (``since``) and the
stream replays what it missed, so nothing is lost within the stream's cap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from shared import keys
from shared.modules import MODULE_NAMES
from shared.runtime.events import wire
from shared.runtime.streamids import parse_id

log = logging.getLogger(__name__)

StreamId = tuple[int, int]

READ_COUNT = 5000  # entries per stream per XREAD: big reads amortise the round trip
# Reads start at most this often. A quiet stream's event still goes out at once (XREAD
# BLOCK returns on it); during a flood, events gather for up to this long, so each socket
# gets one wake and one frame per interval instead of one per handful of events.
READ_INTERVAL_S = 0.005


@dataclass(eq=False, slots=True)
class Chunk:
    """Events from one read, encoded once: ``texts`` one wire JSON object each (the
    one-per-message form), ``joined`` the same comma-separated (the body of a batch frame)."""

    modules: list[str]
    sids: list[StreamId]
    texts: list[str]
    joined: str
    first: dict[str, StreamId]  # per module, the oldest id in the chunk
    last: dict[str, StreamId]  # per module, the newest

    @classmethod
    def build(cls, events: list[tuple[str, str, dict[str, str]]]) -> Chunk:
        modules = [m for m, _, _ in events]
        sids = [parse_id(i) for _, i, _ in events]
        texts = [wire(m, i, f) for m, i, f in events]
        first: dict[str, StreamId] = {}
        last: dict[str, StreamId] = {}
        for m, sid in zip(modules, sids, strict=True):
            first.setdefault(m, sid)
            last[m] = sid
        return cls(modules, sids, texts, ",".join(texts), first, last)

    def after(self, sent: dict[str, StreamId]) -> list[str] | None:
        """The texts newer than ``sent`` (which it advances); ``None`` when that is all of
        them (the caller can use ``joined``). Only a replay overlaps live chunks."""
        zero = (0, 0)
        if all(sid > sent.get(m, zero) for m, sid in self.first.items()):
            sent.update(self.last)
            return None
        out = []
        for m, sid, text in zip(self.modules, self.sids, self.texts, strict=True):
            if sid > sent.get(m, zero):
                sent[m] = sid
                out.append(text)
        return out


@dataclass(eq=False)
class Client:
    """One socket's view of the fan-out: the chunks it has not sent yet."""

    pending: list[Chunk] = field(default_factory=list)
    backlog: int = 0  # events in ``pending``
    overflowed: bool = False
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def take(self) -> list[Chunk]:
        chunks, self.pending, self.backlog = self.pending, [], 0
        self.wake.clear()
        return chunks

    def close(self) -> None:
        self.closed = True
        self.wake.set()


def raw_reply(response: Any, **options: Any) -> Any:
    """XREAD's reply as the protocol gives it: ``{stream: [[id, [k, v, ...]], ...]}`` (RESP3)
    or ``[[stream, [[id, [k, v, ...]], ...]], ...]`` (RESP2); ``None`` on timeout."""
    return response


class Hub:
    def __init__(self, url: str, queue_max: int) -> None:
        self.queue_max = queue_max
        self.r: aioredis.Redis[str] = aioredis.Redis.from_url(url, decode_responses=True)
        # The fan-out's reader takes XREAD replies as parsed by the wire parser (hiredis):
        # redis-py's per-entry dict building costs more than the rest of the fan-out.
        self._reader: aioredis.Redis[str] = aioredis.Redis.from_url(url, decode_responses=True)
        self._reader.set_response_callback("XREAD", raw_reply)
        self.clients: set[Client] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        cursors: dict[str, str] = {}
        for m in MODULE_NAMES:
            newest = await self.r.xrevrange(keys.events_stream(m), count=1)
            cursors[keys.events_stream(m)] = newest[0][0] if newest else "0-0"
        self._task = asyncio.create_task(self._run(cursors), name="event-hub")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.r.aclose()  # type: ignore[attr-defined]
        await self._reader.aclose()  # type: ignore[attr-defined]

    def add(self) -> Client:
        client = Client()
        self.clients.add(client)
        return client

    def remove(self, client: Client) -> None:
        self.clients.discard(client)

    def publish(self, chunk: Chunk) -> None:
        """Hand a chunk to every socket (a reference each); one that would hold more than
        ``queue_max`` events is dropped and told so (it closes with 4008)."""
        n = len(chunk.texts)
        for client in list(self.clients):
            if client.backlog + n > self.queue_max:
                self.clients.discard(client)
                client.overflowed = True
            else:
                client.pending.append(chunk)
                client.backlog += n
            client.wake.set()

    async def _run(self, cursors: dict[str, str]) -> None:
        prefix = len(keys.events_stream(""))
        loop = asyncio.get_running_loop()
        started = 0.0
        while True:
            wait = started + READ_INTERVAL_S - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            started = loop.time()
            try:
                reply = await self._reader.xread(cursors, count=READ_COUNT, block=1000)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event reader failed; retrying")
                await asyncio.sleep(1.0)
                continue
            events: list[tuple[str, str, dict[str, str]]] = []
            for stream, entries in reply.items() if isinstance(reply, dict) else reply or []:
                module = stream[prefix:]
                for entry_id, flat in entries:
                    pairs = iter(flat)
                    events.append((module, entry_id, dict(zip(pairs, pairs, strict=False))))
                cursors[stream] = entries[-1][0]
            if events:
                self.publish(Chunk.build(events))
