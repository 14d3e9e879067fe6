"""Junk written into every Redis key family the gateway and the workers read (a careless
script, a half-applied migration, a wrong ``redis-cli`` line): no route answers 500, the
dashboard's socket still gets its snapshot, a restarted gateway comes up, the workers stay
healthy, and the API repairs what it owns (a config save)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from services.testing.events import assert_answers
from services.testing.stack import Stack, start_stack
from shared import keys
from shared.modules import MODULE_NAMES
from shared.runtime.connection import connect
from tests.conftest import free_port

pytestmark = pytest.mark.stack

WAIT_S = 120.0


@pytest.fixture(scope="module")
def junk_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("junk") / "data", free_port())
    yield stack
    stack.stop()


def write_junk(redis_url: str) -> None:
    r = connect(redis_url)
    for m in MODULE_NAMES:
        r.delete(keys.module_state(m), keys.latest_images(m), keys.reply_list(m), keys.event_producers(m))
        r.set(keys.config_version(m), "abc")
        r.set(keys.config_key(m), "{not json")
        r.hset(
            keys.module_state(m),
            mapping={
                "status": "bogus",
                "prompt": "{not json",
                "fields": "[1,",
                "progress": "{not json",
                "error": "",
                "job_id": "",
                "task": "",
                "stop_requested_at": "soon",
            },
        )
        r.hset(keys.latest_images(m), mapping={"kind": "{not json", "other": json.dumps({"url": 3})})
        r.xadd(keys.events_stream(m), {"type": "bogus", "ts": "x", "data": "{not json"})
        r.xadd(keys.events_stream(m), {"nothing": "here"})
        r.set(keys.reply_list(m), "not a list")
        r.hset(keys.event_producers(m), "p", "x")
    # Wrong types where a string or a hash is read.
    r.set(keys.module_state("fetch"), "not a hash")
    r.set(keys.latest_images("fetch"), "not a hash")
    r.delete(keys.module_lease("scriptor"))
    r.hset(keys.module_lease("scriptor"), "a", "b")
    r.set(keys.STREAM_MAXLEN, "abc")


def test_junk_in_every_key_family_never_takes_the_gateway_down(junk_stack: Stack) -> None:
    url = junk_stack.url
    write_junk(junk_stack.redis_url)
    assert_answers(url)
    state = httpx.get(f"{url}/api/workflow/state", timeout=30).json()
    # A clear state, not the junk: the status is one the dashboard knows, saying why.
    assert state["status"] == "failed" and "unreadable" in state["error"], state
    assert state["prompt"] is None and state["progress"] is None and state["fields"] == {}, state

    # The API repairs what it owns: a config save works over a junk version.
    resp = httpx.put(f"{url}/api/ui_recognition/config", json={}, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.json()["version"] >= 1
    resp = httpx.post(f"{url}/api/scriptor/update_config", json={}, timeout=30)
    assert resp.status_code == 200, resp.text

    # A gateway restarted over the junk comes up (no crash loop), and so do the workers.
    write_junk(junk_stack.redis_url)
    gateway = int(junk_stack.info()["children"]["gateway"])
    os.kill(gateway, signal.SIGKILL)
    deadline = time.monotonic() + WAIT_S
    while int(junk_stack.info()["children"]["gateway"]) == gateway:
        assert time.monotonic() < deadline, junk_stack.log()[-3000:]
        time.sleep(0.2)
    health = junk_stack.wait_healthy(WAIT_S)
    assert all(health["workers"].values()), health
    assert_answers(url)
    # A task starts over the junk state (the start replaces it).
    resp = httpx.post(f"{url}/api/workflow/tasks/{first_task('workflow', url)}/start", json={}, timeout=30)
    assert resp.status_code == 200, resp.text


def first_task(module: str, url: str) -> str:
    mods = httpx.get(f"{url}/api/modules", timeout=30).json()
    return str(next(m for m in mods if m["name"] == module)["tasks"][0]["name"])
