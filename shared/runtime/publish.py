"""Publishing events to a module's stream (``XADD ... MAXLEN ~``) and turning stream
entries into the wire form of ``shared.event_schema``."""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from shared import keys
from shared.event_schema import EventType
from shared.runtime import lenient
from shared.runtime.connection import TextRedis
from shared.settings import get_settings

Entry = tuple[str, Mapping[str, str]]
log = logging.getLogger(__name__)

MAX_PENDING = 5000  # a producer this far ahead of a working Redis waits for it (backpressure)
PER_CALL = 1000  # events per XADD_MANY call: keeps each script run to about a millisecond
STALLED_S = 0.5  # a send taking longer means Redis is away: buffer instead of waiting

# Many events in one command: redis-py packs one call instead of a pipelined XADD per event
# (a quarter of the client CPU; scripts/bench_platform.py). KEYS: stream, producer hash.
# ARGV: maxlen, producer id, batch sequence number, then type, ts, data for each event. A
# batch whose number the producer already wrote is skipped: a call sent again after its
# reply was lost (Redis restarted or stalled) does not append the events twice.
XADD_MANY = """
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if tonumber(ARGV[3]) <= last then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], 86400)
for i = 4, #ARGV, 3 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
             'type', ARGV[i], 'ts', ARGV[i + 1], 'data', ARGV[i + 2])
end
return (#ARGV - 3) / 3
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
_DECODER = json.JSONDecoder()


def wire(module: str, entry_id: str, fields: Mapping[str, str]) -> str:
    """The JSON text sent on /ws, built without decoding ``data`` into objects; an entry
    that is not an event (junk another program appended) goes out as a warning log event
    instead, so a client never receives text that is not JSON."""
    type_, ts, data = fields.get("type", ""), fields.get("ts", "0"), fields.get("data", "{}")
    quoted = _QUOTED.get(type_)
    if quoted is None or not _is_event(ts, data):
        return _junk_entry(module, entry_id, type_)
    return f'{{"id":"{entry_id}","module":"{module}","type":{quoted},"ts":{ts},"data":{data}}}'


def _is_event(ts: str, data: str) -> bool:
    """``ts`` a finite number, ``data`` exactly one JSON object (decoded once per event in
    the hub's chunk, not once per socket)."""
    try:
        if not -1e12 < float(ts) < 1e12 or data[:1] != "{":
            return False
        value, end = _DECODER.raw_decode(data)
    except ValueError:
        return False
    return end == len(data) and isinstance(value, dict)


def _junk_entry(module: str, entry_id: str, type_: str) -> str:
    lenient.junk(f"{keys.events_stream(module)} {entry_id}", type_[:40], " (not an event)")
    message = f"an unreadable entry {entry_id} in the event stream was skipped"
    data = {"level": "warning", "message": message}
    return json.dumps({"id": entry_id, "module": module, "type": "log", "ts": 0, "data": data})


def last_id(r: TextRedis, module: str) -> str:
    """The newest id in a module's stream, ``0-0`` when empty."""
    newest = r.xrevrange(keys.events_stream(module), count=1)
    return str(newest[0][0]) if newest else "0-0"


def dropped_note(count: int, limit: int) -> str:
    return f"{count} events were dropped: Redis was unreachable and the buffer of {limit} events was full"


class EventBatcher:
    """Events a task emits in bursts (logs): queued here, sent by a thread in batches, in
    order. ``log()`` costs microseconds instead of a Redis round trip; when the task is
    quiet a batch is one event, sent at once. Callers that write state directly
    ``flush()`` first, so the stream order is the order of the calls.

    While Redis is away (a send stalls) events stay queued in memory, up to
    ``event_buffer_max``, and go out in order once it is back; beyond the bound new events
    are counted, and a warning log event in the stream says how many were dropped."""

    def __init__(
        self,
        r: TextRedis,
        module: str,
        *,
        buffer_max: int | None = None,
        note_fields: Mapping[str, Any] | None = None,
    ) -> None:
        settings = get_settings()
        self._r = r
        self._keys = [keys.events_stream(module), keys.event_producers(module)]
        self._maxlen = settings.stream_maxlen
        self._buffer_max = buffer_max or settings.event_buffer_max
        self._note_fields = dict(note_fields or {})
        self._producer = uuid.uuid4().hex
        self._seq = 0
        self._xadd_many = r.register_script(XADD_MANY)
        self._pending: list[dict[str, str]] = []
        self._unsent: collections.deque[tuple[int, list[dict[str, str]]]] = collections.deque()
        self._dropped = 0
        self._send_began = 0.0  # monotonic start of the send in flight, 0.0 when none
        self._cv = threading.Condition()
        self._send = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"events-{module}", daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        """Events dropped and not yet announced in the stream."""
        return self._dropped

    def stalled(self) -> bool:
        began = self._send_began
        return bool(began) and time.monotonic() - began > STALLED_S

    def add(self, type_: EventType | str, data: Mapping[str, Any]) -> None:
        fields = encode_fields(type_, data)
        with self._cv:
            if len(self._pending) >= self._buffer_max:
                self._dropped += 1
                return
            if self._dropped:
                self._pending.append(self._note())
            self._pending.append(fields)
            if len(self._pending) == 1:
                self._cv.notify_all()
            # Backpressure while Redis keeps up; no waiting while it is away.
            while len(self._pending) >= MAX_PENDING and not self.stalled() and not self._closed:
                self._cv.wait(0.05)

    def _note(self) -> dict[str, str]:
        """The dropped-events warning (called with the lock held); resets the count."""
        count, self._dropped = self._dropped, 0
        data = {"level": "warning", "message": dropped_note(count, self._buffer_max), **self._note_fields}
        return encode_fields(EventType.log, {**data, "dropped": count})

    def flush(self) -> None:
        """Send everything queued now, in order; waits (the connection's ride-out) while
        Redis is away, and keeps what it could not send for the next flush."""
        with self._send:
            with self._cv:
                batch, self._pending = self._pending, []
                self._cv.notify_all()
            for start in range(0, len(batch), PER_CALL):
                self._seq += 1
                self._unsent.append((self._seq, batch[start : start + PER_CALL]))
            while self._unsent:
                seq, chunk = self._unsent[0]
                args: list[str | int] = [self._maxlen, self._producer, seq]
                for fields in chunk:
                    args += (fields["type"], fields["ts"], fields["data"])
                self._send_began = time.monotonic()
                try:
                    self._xadd_many(keys=self._keys, args=args)
                finally:
                    self._send_began = 0.0
                self._unsent.popleft()

    def _run(self) -> None:
        failures = 0
        while True:
            with self._cv:
                while not self._pending and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
            try:
                self.flush()
                failures = 0
            except Exception:
                failures += 1
                if failures == 1:
                    log.exception("sending events failed; they stay queued and are sent again")
                time.sleep(min(2.0, 0.1 * 2**failures))

    def close(self) -> None:
        with self._cv:
            self._closed = True
            if self._dropped:
                self._pending.append(self._note())
            self._cv.notify_all()
        self._thread.join(5)
        self.flush()
        with contextlib.suppress(Exception):
            self._r.hdel(self._keys[1], self._producer)
