"""The latest image of each kind outlives its event: streams are capped, so after a long run
the image event is trimmed, but the snapshot and ``GET /api/{module}/images`` still name it."""

from __future__ import annotations

import httpx
import pytest
import redis

from services.testing.events import Events, start, stop_and_wait
from services.testing.stack import Stack
from shared import keys
from shared.runtime.publish import encode_fields

pytestmark = pytest.mark.stack

KEPT = 5  # stream entries left after the trim (all of them logs written after the frame)


def test_snapshot_and_images_route_keep_a_trimmed_image(live: Stack) -> None:
    events = Events(live.ws_url)
    try:
        job = start(live.url, "workflow", "workflow")
        events.wait_for(lambda e: e.get("type") == "image" and e["data"]["kind"] == "frame")
        stop_and_wait(live.url, "workflow")
        events.wait_for(
            lambda e: (
                e.get("type") == "state" and e["data"]["job_id"] == job and e["data"]["status"] == "stopped"
            )
        )
        frames = [
            e for e in events.events("workflow") if e["type"] == "image" and e["data"]["kind"] == "frame"
        ]
    finally:
        events.close()
    last = frames[-1]  # the job stopped: no frame comes after this one

    # A long run later (logs after the frame), the stream no longer holds any image event.
    stream = keys.events_stream("workflow")
    r = redis.Redis.from_url(live.redis_url, decode_responses=True)
    try:
        for n in range(KEPT):
            r.xadd(
                stream,
                encode_fields("log", {"level": "info", "message": f"later {n}", "task": "t", "job_id": "j"}),
            )
        r.xtrim(stream, maxlen=KEPT, approximate=False)
        assert not [f for _, f in r.xrange(stream) if f["type"] == "image"]
    finally:
        r.close()

    fresh = Events(live.ws_url)  # a page reload: snapshot, then live events only
    try:
        snapshot = fresh.wait_for(lambda m: m.get("type") == "snapshot")
    finally:
        fresh.close()
    frame = snapshot["modules"]["workflow"]["images"]["frame"]
    assert frame == {**last["data"], "id": last["id"], "ts": last["ts"]}
    png = httpx.get(f"{live.url}{frame['url']}")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png.content[16:20], "big") == frame["width"] == 1280

    listed = httpx.get(f"{live.url}/api/workflow/images").json()
    assert frame in listed and [i["kind"] for i in listed] == sorted(
        snapshot["modules"]["workflow"]["images"]
    )
    # a module that never published an image has none; an unknown module is a 404
    assert snapshot["modules"]["fetch"]["images"] == {}
    assert httpx.get(f"{live.url}/api/fetch/images").json() == []
    assert httpx.get(f"{live.url}/api/nope/images").status_code == 404
