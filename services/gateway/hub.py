"""Event fan-out: one ``XREAD BLOCK`` reader over every module's stream. Each read becomes
one ``Chunk`` of already-encoded events, shared by every socket: a socket's backlog is a
list of references to chunks, so the per-event work is done once, not once per socket.
A socket that falls behind is closed; it reconnects with its cursor (``since``) and the
stream replays what it missed, so nothing is lost within the stream's cap."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from shared import keys
from shared.modules import MODULE_NAMES
from shared.runtime.connection import GATEWAY_RIDE_OUT_S, TRANSIENT, async_client_options
from shared.runtime.publish import wire
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
    marker: str = ""  # a ``trimmed`` message instead of events (the reader lost some)

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


def was_trimmed(info: dict[str, Any], since: tuple[int, int]) -> bool:
    """Did the stream drop events newer than ``since``? Trimming (MAXLEN) removes the
    oldest entries: when any were removed and the oldest kept one is newer than ``since``,
    the client may have missed events (exactly: unless ``since`` was the last one removed).
    XDEL is tracked exactly by ``max-deleted-entry-id``."""
    removed = int(info.get("entries-added", 0)) - int(info.get("length", 0))
    first = info.get("first-entry")
    if removed > 0 and first and parse_id(str(first[0])) > since:
        return True
    return parse_id(str(info.get("max-deleted-entry-id", "0-0"))) > since


def trimmed_marker(module: str, info: dict[str, Any], since: str) -> str:
    first = info.get("first-entry")
    oldest = first[0] if first else None
    return json.dumps({"type": "trimmed", "module": module, "data": {"oldest": oldest, "since": since}})


@dataclass(eq=False)
class Client:
    """One socket's view of the fan-out: the chunks it has not sent yet."""

    pending: list[Chunk] = field(default_factory=list)
    backlog: int = 0  # events in ``pending``
    overflowed: bool = False
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Set with ``overflowed``: ends a send that waits on a reader that stopped reading.
    overflow: asyncio.Event = field(default_factory=asyncio.Event)

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
    def __init__(self, url: str, queue_max: int, units: tuple[str, ...] = MODULE_NAMES) -> None:
        self.queue_max = queue_max
        self.units = units  # the streams fanned out: every module, then other devices' units
        # Retrying clients: the first replay after a Redis restart must not fail on a dead
        # pooled connection; the reader below also rides out the restart.
        options = async_client_options(GATEWAY_RIDE_OUT_S)
        self.r: aioredis.Redis[str] = aioredis.Redis.from_url(url, decode_responses=True, **options)
        # The fan-out's reader takes XREAD replies as parsed by the wire parser (hiredis):
        # redis-py's per-entry dict building costs more than the rest of the fan-out.
        self._reader: aioredis.Redis[str] = aioredis.Redis.from_url(url, decode_responses=True, **options)
        self._reader.set_response_callback("XREAD", raw_reply)
        self.clients: set[Client] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        cursors: dict[str, str] = {}
        for m in self.units:
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
                client.overflow.set()
            else:
                client.pending.append(chunk)
                client.backlog += n
            client.wake.set()

    async def _check_kept(self, stream: str, cursor: str, prefix: int) -> None:
        """A reader that fell a whole ``MAXLEN`` behind would skip what was trimmed without
        a word: tell every socket, as a replay would (``trimmed``)."""
        try:
            info = await self.r.xinfo_stream(stream)
        except Exception:
            log.exception("checking %s failed", stream)
            return
        if was_trimmed(info, parse_id(cursor)):
            log.warning("event reader fell behind %s's trimming after %s", stream, cursor)
            self.publish(Chunk([], [], [], "", {}, {}, trimmed_marker(stream[prefix:], info, cursor)))

    async def _run(self, cursors: dict[str, str]) -> None:
        prefix = len(keys.events_stream(""))
        loop = asyncio.get_running_loop()
        started = 0.0
        failing = False
        behind: set[str] = set()
        while True:
            wait = started + READ_INTERVAL_S - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            started = loop.time()
            for stream in behind:
                await self._check_kept(stream, cursors[stream], prefix)
            try:
                reply = await self._reader.xread(cursors, count=READ_COUNT, block=1000)
            except asyncio.CancelledError:
                raise
            except TRANSIENT as exc:
                if not failing:
                    log.warning("event reader lost Redis (%s); retrying", exc)
                failing = True
                await asyncio.sleep(0.2)
                continue
            except Exception:
                log.exception("event reader failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if failing:
                log.warning("event reader is back")
                failing = False
            events: list[tuple[str, str, dict[str, str]]] = []
            behind = set()
            for stream, entries in reply.items() if isinstance(reply, dict) else reply or []:
                if len(entries) >= READ_COUNT:
                    behind.add(stream)  # more may be waiting: is it still in the stream?
                module = stream[prefix:]
                for entry_id, flat in entries:
                    pairs = iter(flat)
                    events.append((module, entry_id, dict(zip(pairs, pairs, strict=False))))
                cursors[stream] = entries[-1][0]
            if events:
                self.publish(Chunk.build(events))
