"""The latest image per module and kind: published as an event and recorded in a hash in
one step, so a client that connects after the stream trimmed the event (streams are
capped) still learns of the picture from the snapshot."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import redis

from shared import keys
from shared.runtime.connection import TextRedis
from shared.runtime.lenient import as_object, is_wrong_type, junk
from shared.settings import get_settings

# XADD and HSET in one script: the hash entry names the event's id, and no reader sees the
# event without the record (or the record without the event). ARGV: maxlen, ts, data JSON,
# kind, record JSON without its leading "{" (the id is put in front).
RECORD = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
                     'type', 'image', 'ts', ARGV[2], 'data', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[4], '{"id":"' .. id .. '",' .. ARGV[5])
return id
"""


def publish_image(r: TextRedis, module: str, data: Mapping[str, Any]) -> str:
    """Append the image event and record it as the latest of its kind; returns its id."""
    ts = f"{time.time():.6f}"
    payload = json.dumps(data, default=str)
    record = json.dumps({"ts": float(ts), **data}, default=str)
    script = r.register_script(RECORD)
    args = [get_settings().stream_maxlen, ts, payload, str(data["kind"]), record[1:]]
    return str(script(keys=[keys.events_stream(module), keys.latest_images(module)], args=args))


def latest_images(r: TextRedis, module: str) -> dict[str, dict[str, Any]]:
    """kind -> the recorded image (``kind, url, width, height, meta, id, ts``); junk
    entries (and a key of another type) are left out."""
    key = keys.latest_images(module)
    try:
        raw = r.hgetall(key)
    except redis.ResponseError as exc:
        if not is_wrong_type(exc):
            raise
        junk(key, "", " (not a hash)")
        return {}
    out = {}
    for kind, text in raw.items():
        rec = as_object(text, f"{key}[{kind}]")
        if rec is not None:
            out[kind] = rec
    return out
