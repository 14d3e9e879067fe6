"""The event path's parts on their own: the producer's batched XADDs (a Lua script) and the
gateway's shared chunks, against a real redis-server."""

from __future__ import annotations

import asyncio
import json

import redis

from services.gateway.hub import Chunk, Hub
from shared import keys
from shared.runtime.publish import PER_CALL, EventBatcher, wire


def test_batched_events_reach_the_stream_in_order(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    stream = keys.events_stream("batcher_test")
    r.delete(stream)
    batcher = EventBatcher(r, "batcher_test")
    n = PER_CALL * 2 + 7  # more than one script call per flush
    for i in range(n):
        batcher.add("log", {"level": "info", "message": f"line {i}", "extra": [i, None]})
    batcher.close()
    entries = r.xrange(stream)
    assert len(entries) == n
    assert [json.loads(f["data"])["message"] for _, f in entries] == [f"line {i}" for i in range(n)]
    assert all(f["type"] == "log" and float(f["ts"]) > 0 for _, f in entries)
    assert json.loads(entries[5][1]["data"])["extra"] == [5, None]
    r.delete(stream)


def test_chunk_skips_what_a_replay_already_sent() -> None:
    events = [
        ("fetch", "5-0", {"type": "log", "ts": "1.0", "data": '{"n": 1}'}),
        ("scriptor", "7-0", {"type": "state", "ts": "1.1", "data": '{"n": 2}'}),
        ("fetch", "6-0", {"type": "log", "ts": "1.2", "data": '{"n": 3}'}),
    ]
    chunk = Chunk.build(events)
    assert json.loads("[" + chunk.joined + "]") == [json.loads(wire(*e)) for e in events]
    sent: dict[str, tuple[int, int]] = {}
    assert chunk.after(sent) is None  # all new: the shared text is used as is
    assert sent == {"fetch": (6, 0), "scriptor": (7, 0)}
    sent = {"fetch": (5, 0)}  # the replay got as far as fetch 5-0
    texts = chunk.after(sent)
    assert texts is not None and [json.loads(t)["id"] for t in texts] == ["7-0", "6-0"]
    assert chunk.after(sent) == []  # a second pass sends nothing again


def test_a_reader_behind_the_trimming_tells_every_socket(redis_url: str) -> None:
    """Should the gateway's reader fall a whole MAXLEN behind (a stalled process), what was
    trimmed before it read it is announced with a ``trimmed`` marker, not skipped silently."""

    async def run() -> None:
        hub = Hub(redis_url, 100)
        client = hub.add()
        stream = keys.events_stream("hub_test")
        prefix = len(keys.events_stream(""))
        await hub.r.delete(stream)
        ids = [await hub.r.xadd(stream, {"type": "log", "ts": "1.0", "data": "{}"}) for _ in range(10)]
        await hub.r.xtrim(stream, maxlen=3, approximate=False)
        await hub._check_kept(stream, ids[1], prefix)  # 2..6 were trimmed unread
        assert len(client.pending) == 1 and client.backlog == 0
        marker = json.loads(client.pending[0].marker)
        assert marker == {
            "type": "trimmed",
            "module": "hub_test",
            "data": {"oldest": ids[7], "since": ids[1]},
        }
        await hub._check_kept(stream, ids[8], prefix)  # everything after ids[8] is still there
        assert len(client.pending) == 1
        await hub.r.delete(stream)
        await hub.stop()

    asyncio.run(run())
