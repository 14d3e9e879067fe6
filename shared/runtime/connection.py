"""Redis connections. Our own keys use text (``decode_responses``); RQ needs bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis

from shared.settings import get_settings

if TYPE_CHECKING:
    TextRedis = redis.Redis[str]
    BytesRedis = redis.Redis[bytes]
else:
    TextRedis = redis.Redis
    BytesRedis = redis.Redis


def redis_url(url: str | None = None) -> str:
    return url or get_settings().resolved_redis_url


def connect(url: str | None = None) -> TextRedis:
    return redis.Redis.from_url(redis_url(url), decode_responses=True, health_check_interval=30)


def connect_bytes(url: str | None = None) -> BytesRedis:
    return redis.Redis.from_url(redis_url(url))


def eval_lua(r: TextRedis, script: str, keys: list[str], args: list[str]) -> Any:
    """EVAL with typed arguments (the redis stubs leave ``eval`` untyped)."""
    return r.eval(script, len(keys), *keys, *args)  # type: ignore[no-untyped-call]
