"""The real ``RedisTaskContext``: a question with a time limit closes unanswered after it
(the scriptor's "ask when unplaced" must never block its loop for ever), and the dashboard
sees it closed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared import keys
from shared.config import ScriptorConfig
from shared.runtime import leases
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TextRedis, connect
from shared.runtime.context import RedisTaskContext
from shared.task_context import TIMED_OUT


@pytest.fixture
def r(redis_url: str) -> Iterator[TextRedis]:
    client = connect(redis_url.rsplit("/", 1)[0] + "/12")
    client.flushdb()
    yield client
    client.flushdb()


def test_a_question_with_a_time_limit_closes_unanswered(r: TextRedis, tmp_path: Path) -> None:
    assert leases.claim(r, keys.module_lease("scriptor"), "job-1") is None
    version = ConfigStore(r, tmp_path).put("scriptor", ScriptorConfig())
    ctx = RedisTaskContext(
        r, module="scriptor", task="t", job_id="job-1", data_dir=tmp_path, config=ScriptorConfig(),
        config_version=version,
    )  # fmt: skip
    try:
        t0 = time.monotonic()
        reply = ctx.ask("which state?", ("No", "Drop"), choices=("award",), timeout_s=0.6)
        waited = time.monotonic() - t0
    finally:
        ctx.close()
    assert reply.answer == TIMED_OUT
    assert waited >= 0.6
    prompts = [
        json.loads(f["data"]) for _id, f in r.xrange(keys.events_stream("scriptor")) if f["type"] == "prompt"
    ]
    assert [p["closed"] for p in prompts] == [False, True]
    assert prompts[-1]["answer"] == TIMED_OUT
    assert r.hget(keys.module_state("scriptor"), "prompt") == ""
