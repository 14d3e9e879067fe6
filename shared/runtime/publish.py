"""Publishing events to a module's stream (``XADD ... MAXLEN ~``) and turning stream
entries into the wire form of ``shared.event_schema``."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from shared import keys
from shared.event_schema import EventType
from shared.runtime.connection import TextRedis
from shared.settings import get_settings

Entry = tuple[str, Mapping[str, str]]
log = logging.getLogger(__name__)

MAX_PENDING = 5000  # a producer this far ahead of Redis sends itself (backpressure)
PER_CALL = 1000  # events per XADD_MANY call: keeps each script run to about a millisecond

# Many events in one command: redis-py packs one call instead of a pipelined XADD per event
# (a quarter of the client CPU; scripts/bench_platform.py). ARGV: maxlen, then type, ts,
# data for each event.
XADD_MANY = """
for i = 2, #ARGV, 3 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
             'type', ARGV[i], 'ts', ARGV[i + 1], 'data', ARGV[i + 2])
end
return (#ARGV - 1) / 3
"""


def encode_fields(type_: EventType | str, data: Mapping[str, Any]) -> dict[str, str]:
    return {"type": str(type_), "ts": f"{time.time():.6f}", "data": json.dumps(data, default=str)}


def publish(
    r: TextRedis, module: str, type_: EventType | str, data: Mapping[str, Any], maxlen: int | None = None
) -> str:
    """Append one event; returns its stream id."""
    fields = encode_fields(type_, data)
    limit = maxlen or get_settings().stream_maxlen
    return str(r.xadd(keys.events_stream(module), fields, maxlen=limit, approximate=True))


_QUOTED = {str(t): json.dumps(str(t)) for t in EventType}  # the usual types, quoted once


def wire(module: str, entry_id: str, fields: Mapping[str, str]) -> str:
    """The JSON text sent on /ws, built without re-parsing ``data`` (it is JSON already)."""
    type_ = fields.get("type", "")
    return (
        f'{{"id":"{entry_id}","module":"{module}","type":{_QUOTED.get(type_) or json.dumps(type_)},'
        f'"ts":{fields.get("ts", "0")},"data":{fields.get("data", "{}")}}}'
    )


def last_id(r: TextRedis, module: str) -> str:
    """The newest id in a module's stream, ``0-0`` when empty."""
    newest = r.xrevrange(keys.events_stream(module), count=1)
    return str(newest[0][0]) if newest else "0-0"


class EventBatcher:
    """Events a task emits in bursts (logs): queued here, sent by a thread in pipelined
    batches, in order. ``log()`` costs microseconds instead of a Redis round trip; when the
    task is quiet a batch is one event, sent at once. Callers that write state directly
    ``flush()`` first, so the stream order is the order of the calls."""

    def __init__(self, r: TextRedis, module: str) -> None:
        self._r = r
        self._stream = keys.events_stream(module)
        self._maxlen = get_settings().stream_maxlen
        self._xadd_many = r.register_script(XADD_MANY)
        self._pending: list[dict[str, str]] = []
        self._cv = threading.Condition()
        self._send = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"events-{module}", daemon=True)
        self._thread.start()

    def add(self, type_: EventType | str, data: Mapping[str, Any]) -> None:
        fields = encode_fields(type_, data)
        with self._cv:
            self._pending.append(fields)
            backlog = len(self._pending)
            if backlog == 1:
                self._cv.notify()
        if backlog >= MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        with self._send:
            with self._cv:
                batch, self._pending = self._pending, []
            for start in range(0, len(batch), PER_CALL):
                args: list[str | int] = [self._maxlen]
                for fields in batch[start : start + PER_CALL]:
                    args += (fields["type"], fields["ts"], fields["data"])
                self._xadd_many(keys=[self._stream], args=args)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._pending and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
            try:
                self.flush()
            except Exception:
                log.exception("sending events failed")
                time.sleep(0.1)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(5)
        self.flush()
