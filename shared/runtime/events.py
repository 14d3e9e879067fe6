"""Publishing events to a module's stream (``XADD ... MAXLEN ~``) and turning stream
entries into the wire form of ``shared.events``."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from shared import keys
from shared.events import EventType
from shared.runtime.connection import TextRedis
from shared.settings import get_settings

Entry = tuple[str, Mapping[str, str]]


def encode_fields(type_: EventType | str, data: Mapping[str, Any]) -> dict[str, str]:
    return {"type": str(type_), "ts": f"{time.time():.6f}", "data": json.dumps(data, default=str)}


def publish(
    r: TextRedis, module: str, type_: EventType | str, data: Mapping[str, Any], maxlen: int | None = None
) -> str:
    """Append one event; returns its stream id."""
    fields = encode_fields(type_, data)
    limit = maxlen or get_settings().stream_maxlen
    return str(r.xadd(keys.events_stream(module), fields, maxlen=limit, approximate=True))


def wire(module: str, entry_id: str, fields: Mapping[str, str]) -> str:
    """The JSON text sent on /ws, built without re-parsing ``data`` (it is JSON already)."""
    return (
        f'{{"id":"{entry_id}","module":"{module}","type":{json.dumps(fields.get("type", ""))},'
        f'"ts":{fields.get("ts", "0")},"data":{fields.get("data", "{}")}}}'
    )


def to_event(module: str, entry_id: str, fields: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": entry_id,
        "module": module,
        "type": fields.get("type", ""),
        "ts": float(fields.get("ts", "0")),
        "data": json.loads(fields.get("data", "{}")),
    }


def last_id(r: TextRedis, module: str) -> str:
    """The newest id in a module's stream, ``0-0`` when empty."""
    newest = r.xrevrange(keys.events_stream(module), count=1)
    return str(newest[0][0]) if newest else "0-0"
