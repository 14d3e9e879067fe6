"""Who may talk to the gateway (it has no user accounts: one user, one machine).

- ``Host``: every request must name one of the allowed host names (loopback names, the
  ``AUTOBANG_HOST`` it listens on, ``AUTOBANG_ALLOWED_HOSTS``). A DNS-rebinding page
  (``evil.example`` resolving to 127.0.0.1) sends its own name and is refused, even for GET.
- ``Origin``: requests that change something (anything but GET/HEAD/OPTIONS) and WebSocket
  handshakes carrying an ``Origin`` are refused unless it is the gateway's own host, so a
  page on another origin cannot drive it from the user's browser. Clients without an
  Origin (curl, scripts, tests) are not browsers and pass.
- Token: when the gateway listens beyond loopback, ``/api`` and ``/ws`` need the token
  (``AUTOBANG_TOKEN``; generated into ``<data-dir>/gateway-token`` and printed at start when
  unset) as ``Authorization: Bearer <token>``, the ``autobang_token`` cookie (what the
  dashboard sets once asked) or ``?token=``. The dashboard's files and ``/healthz`` stay
  open so the page can load and ask.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.atomic_write import write_atomic
from shared.settings import Settings

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
TOKEN_COOKIE = "autobang_token"
PROTECTED = ("/api", "/ws", "/openapi.json")


def host_name(netloc: str) -> str:
    """``Host``/netloc -> lower-case host name without port (``[::1]:8000`` -> ``::1``)."""
    try:
        return (urlsplit(f"//{netloc}").hostname or "").lower()
    except ValueError:
        return ""


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", ""):
        return host != ""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return bool(parts.scheme in ("http", "https") and parts.netloc and parts.netloc.lower() == host.lower())


def gateway_token(settings: Settings) -> str:
    """``AUTOBANG_TOKEN``, else the one kept (0600) in the data dir, made on first use."""
    if settings.token:
        return settings.token
    path = Path(settings.data_dir) / "gateway-token"
    if not path.exists():
        write_atomic(path, secrets.token_urlsafe(24).encode(), 0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class AccessPolicy:
    hosts: frozenset[str]
    token: str | None  # None: loopback only, no token asked
    listen: str = ""
    token_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        hosts = {*LOOPBACK_NAMES}
        if settings.host not in ("0.0.0.0", "::", ""):
            hosts.add(settings.host.lower())
        hosts |= {h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()}
        token = None if is_loopback(settings.host) else gateway_token(settings)
        return cls(frozenset(hosts), token, settings.host, Path(settings.data_dir) / "gateway-token")

    def announce(self) -> None:
        """Print the token at start when one is needed."""
        if self.token is not None:
            print(
                f"[autobang] listening on {self.listen} (beyond loopback): API and /ws need the token "
                f"{self.token} (also in {self.token_file} unless AUTOBANG_TOKEN is set)",
                flush=True,
            )

    def host_ok(self, host_header: str) -> bool:
        name = host_name(host_header)
        return name in self.hosts or (is_loopback(name) and name != "localhost")

    def token_ok(self, path: str, headers: dict[str, str], query: str) -> bool:
        if self.token is None or not path.startswith(PROTECTED):
            return True
        offered = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(Exception):  # a malformed cookie header offers nothing
                jar.load(headers["cookie"])
            if TOKEN_COOKIE in jar:
                offered.append(jar[TOKEN_COOKIE].value)
        offered += parse_qs(query).get("token", [])
        return any(hmac.compare_digest(t.encode(), self.token.encode()) for t in offered)


async def refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})
        return
    body = json.dumps({"detail": detail}).encode()
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})


class SameOriginGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.policy = AccessPolicy.from_settings(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if not self.policy.host_ok(host):
            allowed = ", ".join(sorted(self.policy.hosts))
            await refuse(
                scope,
                send,
                403,
                f"host {host_name(host) or host!r} is not allowed (allowed: {allowed}; "
                "add names with AUTOBANG_ALLOWED_HOSTS)",
            )
            return
        if kind == "websocket" or scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and not same_origin(origin, host):
                await refuse(scope, send, 403, f"cross-origin request from {origin} refused")
                return
        query = scope.get("query_string", b"").decode("latin-1")
        if not self.policy.token_ok(scope["path"], headers, query):
            await refuse(
                scope,
                send,
                401,
                "this gateway listens beyond loopback: send its token (printed at start, kept in "
                "<data-dir>/gateway-token) as Authorization: Bearer <token> or the autobang_token cookie",
            )
            return
        await self.app(scope, receive, send)
