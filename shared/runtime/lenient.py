"""Reading values other programs wrote into Redis (a careless script, ``redis-cli``, an
older version): junk is never fatal to a reader. Each helper returns a clear fallback and
logs what it found once per key and value (a dashboard polling every second must not flood
the log)."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

log = logging.getLogger(__name__)

_SEEN: set[tuple[str, str]] = set()
_SEEN_MAX = 1000  # distinct junk values remembered (the set must not grow without bound)


def junk(where: str, value: object, why: str = "") -> None:
    """Log, once per ``where`` and value, that junk was read and ignored."""
    seen = (where, repr(value)[:200])
    if seen in _SEEN:
        return
    if len(_SEEN) < _SEEN_MAX:
        _SEEN.add(seen)
    log.warning("junk in Redis at %s: %r%s; ignored", where, value if len(str(value)) < 200 else "...", why)


def as_int(raw: str | None, where: str, default: int = 0) -> int:
    """An integer Redis key (a version, a counter); ``default`` when absent or junk."""
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        junk(where, raw, " (not an integer)")
        return default


def as_float(raw: str | None, where: str, default: float = 0.0) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        junk(where, raw, " (not a number)")
        return default
    return value if value == value and abs(value) != float("inf") else default


def as_object(raw: str | None, where: str) -> dict[str, Any] | None:
    """A JSON object written by our own code; None when absent, not JSON or not an object."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        junk(where, raw, " (not JSON)")
        return None
    if not isinstance(value, dict):
        junk(where, raw, " (not a JSON object)")
        return None
    return value


def is_wrong_type(exc: redis.ResponseError) -> bool:
    return str(exc).startswith("WRONGTYPE")
