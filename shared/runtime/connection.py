"""Redis connections. Our own keys use text (``decode_responses``); RQ needs bytes.

Every client rides out a Redis restart or stall: a command that fails on a dead or silent
connection (``socket_timeout``) reconnects and is sent again with exponential backoff for
up to ``ride_out_s`` (``AUTOBANG_REDIS_RIDE_OUT_S`` for workers and tasks; the gateway asks
for less so a request answers 503 instead of hanging). The password, when the URL has
none, comes from ``AUTOBANG_REDIS_PASSWORD_FILE`` (compose) so it never sits in a URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError
from redis.retry import Retry

from shared.settings import get_settings

if TYPE_CHECKING:
    TextRedis = redis.Redis[str]
    BytesRedis = redis.Redis[bytes]
else:
    TextRedis = redis.Redis
    BytesRedis = redis.Redis

# Errors that mean "Redis is not there right now" (restarting, loading its AOF, stalled).
TRANSIENT = (ConnectionError, TimeoutError, BusyLoadingError)
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 1.0
GATEWAY_RIDE_OUT_S = 3.0  # a request waits this long for Redis, then answers 503
# The gateway's request clients issue no blocking reads: a silent Redis frees the thread
# after this, not after SOCKET_TIMEOUT_S (a stall must not pile up blocked threads).
GATEWAY_SOCKET_TIMEOUT_S = 2.0
SOCKET_TIMEOUT_S = 10.0  # above every blocking read we issue (XREAD/BLPOP block at most 5 s)
CONNECT_TIMEOUT_S = 2.0


def retries_for(ride_out_s: float) -> int:
    """How many retries of doubling backoff (capped at ``BACKOFF_CAP_S``) span ``ride_out_s``."""
    waited, delay, n = 0.0, BACKOFF_BASE_S, 0
    while waited < ride_out_s:
        n += 1
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**n)
        waited += delay
    return n


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` for the default user (kept when the URL has one already)."""
    parts = urlsplit(url)
    if parts.password or not password:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or "default"
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:{quote(password, safe='')}@{host}"))


def redis_url(url: str | None = None) -> str:
    settings = get_settings()
    resolved = url or settings.resolved_redis_url
    if settings.redis_password_file is not None and settings.redis_password_file.exists():
        resolved = with_password(resolved, settings.redis_password_file.read_text().strip())
    return resolved


def client_options(
    ride_out_s: float | None = None, socket_timeout_s: float = SOCKET_TIMEOUT_S
) -> dict[str, Any]:
    seconds = get_settings().redis_ride_out_s if ride_out_s is None else ride_out_s
    return {
        "retry": Retry(ExponentialBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S), retries_for(seconds)),
        "retry_on_error": list(TRANSIENT),
        "socket_timeout": socket_timeout_s,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_keepalive": True,
        "health_check_interval": 30,
    }


def async_client_options(ride_out_s: float) -> dict[str, Any]:
    """``client_options`` for ``redis.asyncio`` clients (the gateway's event hub)."""
    from redis.asyncio.retry import Retry as AsyncRetry

    backoff = ExponentialBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S)
    return {**client_options(ride_out_s), "retry": AsyncRetry(backoff, retries_for(ride_out_s))}


def connect(
    url: str | None = None, *, ride_out_s: float | None = None, socket_timeout_s: float = SOCKET_TIMEOUT_S
) -> TextRedis:
    options = client_options(ride_out_s, socket_timeout_s)
    return redis.Redis.from_url(redis_url(url), decode_responses=True, **options)


def connect_bytes(
    url: str | None = None, *, ride_out_s: float | None = None, socket_timeout_s: float = SOCKET_TIMEOUT_S
) -> BytesRedis:
    return redis.Redis.from_url(redis_url(url), **client_options(ride_out_s, socket_timeout_s))


def eval_lua(r: TextRedis, script: str, keys: list[str], args: list[str]) -> Any:
    """EVAL with typed arguments (the redis stubs leave ``eval`` untyped)."""
    return r.eval(script, len(keys), *keys, *args)  # type: ignore[no-untyped-call]
