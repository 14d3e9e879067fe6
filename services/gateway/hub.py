"""Event fan-out: one ``XREAD BLOCK`` reader over every module's stream, bounded queues per
socket. A socket that falls behind is closed; it reconnects with its cursor (``since``)
and the stream replays what it missed, so nothing is lost within the stream's cap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from shared import keys
from shared.modules import MODULE_NAMES
from shared.runtime.events import wire
from shared.runtime.streamids import parse_id

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(eq=False)
class Client:
    queue: asyncio.Queue[tuple[str, tuple[int, int], str]]
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


class Hub:
    def __init__(self, url: str, queue_max: int) -> None:
        self.queue_max = queue_max
        self.r: aioredis.Redis[str] = aioredis.Redis.from_url(url, decode_responses=True)
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

    def add(self) -> Client:
        client = Client(asyncio.Queue(self.queue_max))
        self.clients.add(client)
        return client

    def remove(self, client: Client) -> None:
        self.clients.discard(client)

    async def _run(self, cursors: dict[str, str]) -> None:
        prefix = len(keys.events_stream(""))
        while True:
            try:
                batch = await self.r.xread(cursors, count=BATCH, block=1000)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event reader failed; retrying")
                await asyncio.sleep(1.0)
                continue
            for stream, entries in batch or []:
                module = stream[prefix:]
                for entry_id, fields in entries:
                    text = wire(module, entry_id, fields)
                    sid = parse_id(entry_id)
                    for client in list(self.clients):
                        try:
                            client.queue.put_nowait((module, sid, text))
                        except asyncio.QueueFull:
                            self.clients.discard(client)
                            client.overflowed.set()
                cursors[stream] = entries[-1][0]
