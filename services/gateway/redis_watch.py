"""Whether Redis answers now, and a deadline on requests while it does not.

A stalled Redis (SIGSTOP, a full disk, a long fork) keeps connections open and silent: each
command waits for its socket timeout, then is retried, so a request could hang for the
whole stall. ``RedisWatch`` pings on its own connection every ``PING_EVERY_S``; a ping
unanswered for ``PING_TIMEOUT_S`` marks Redis down. ``RedisDeadline`` answers 503 for a
request still without a response after ``DEADLINE_S`` while Redis is down (the route's
thread finishes later; its answer is dropped). A request that is slow for another reason
(an upload, a big listing) is left alone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import redis.asyncio as aioredis
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

PING_EVERY_S = 0.5
PING_TIMEOUT_S = 1.0
DEADLINE_S = 1.5  # + POLL_S, + a loaded machine's delays: every answer within 3 s
POLL_S = 0.1
DOWN = "Redis is unreachable right now (it does not answer: stalled or restarting); retry shortly"


class RedisWatch:
    def __init__(self, url: str) -> None:
        self._r: aioredis.Redis[str] = aioredis.Redis.from_url(
            url, decode_responses=True, socket_timeout=PING_TIMEOUT_S, socket_connect_timeout=PING_TIMEOUT_S
        )
        self.down_since: float | None = None  # time.monotonic() of the first unanswered ping
        self._task: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    async def check(self) -> bool:
        try:
            await asyncio.wait_for(self._r.ping(), PING_TIMEOUT_S)
        except (TimeoutError, OSError, aioredis.RedisError) as exc:
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.warning("Redis does not answer (%s): requests get 503 until it does", type(exc).__name__)
            with contextlib.suppress(Exception):
                await self._r.connection_pool.disconnect()  # a stalled connection is not reused
            return False
        if self.down_since is not None:
            log.warning("Redis answers again after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
        return True

    async def _run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(PING_EVERY_S)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redis-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._r.connection_pool.disconnect()


def _drain(task: asyncio.Task[None]) -> None:
    """The outcome of a request answered 503 meanwhile: nobody waits for it any more."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("a request answered 503 (Redis down) ended later with %r", task.exception())


class RedisDeadline:
    def __init__(self, app: ASGIApp, watch: RedisWatch) -> None:
        self.app = app
        self.watch = watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = answered = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 503 went out already
            started = True
            await send(message)

        async def run() -> None:
            await self.app(scope, receive, guarded)

        task = asyncio.create_task(run())
        t0 = time.monotonic()
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_S)
            if done:
                task.result()  # re-raise as if called directly
                return
            if not started and self.watch.down and time.monotonic() - t0 >= DEADLINE_S:
                answered = True
                task.add_done_callback(_drain)
                await JSONResponse({"detail": DOWN}, 503)(scope, receive, send)
                return
