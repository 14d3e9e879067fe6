"""Cross-site guard: the gateway has no login (it is a local, single-user service), so a
web page on another origin must not be able to drive it from the user's browser. Requests
that change something (anything but GET/HEAD/OPTIONS) and WebSocket handshakes carrying an
``Origin`` header are refused unless that origin is the gateway's own host (which is also
what Vite's dev proxy sends). Clients without an Origin (curl, scripts, tests) are not
browsers and pass."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return bool(parts.scheme in ("http", "https") and parts.netloc and parts.netloc.lower() == host.lower())


class SameOriginGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket" or (kind == "http" and scope["method"] not in SAFE_METHODS):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            origin = headers.get("origin")
            if origin is not None and not same_origin(origin, headers.get("host", "")):
                detail = f"cross-origin request from {origin} refused"
                if kind == "websocket":
                    await send({"type": "websocket.close", "code": 1008, "reason": detail})
                    return
                body = json.dumps({"detail": detail}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
