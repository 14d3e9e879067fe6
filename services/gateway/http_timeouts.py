"""A deadline for a request's head: uvicorn waits for ever for the first request on a new
connection (its keep-alive timeout only starts after a response), so a client that
connects and sends nothing, or its headers a byte at a time, holds a connection (and a
file descriptor) as long as it likes. ``HEAD_TIMEOUT_S`` after the connection opens, or
after the last response, a connection whose next request head has not arrived is closed."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

HEAD_TIMEOUT_S = 10.0


class HeadTimeoutProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        waiting_for = self.cycle  # a new request head replaces it
        self.loop.call_later(HEAD_TIMEOUT_S, self._expire, waiting_for)

    def _expire(self, waiting_for: Any) -> None:
        transport = self.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return  # closed, or upgraded to a WebSocket
        if self.cycle is waiting_for and (waiting_for is None or waiting_for.response_complete):
            transport.close()
