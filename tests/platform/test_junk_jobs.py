"""A job hash with malformed RQ fields (written by hand into Redis) never ends the worker:
the job is refused and removed, the module's log says which field, and the next job runs on
the same worker process. A real fetch worker (registry patched to a quick body)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.testing.faults import end_worker, start_worker
from services.testing.hand_written import RUN_TASK, hand_written
from shared import keys
from shared.runtime.connection import connect


@pytest.fixture(scope="module")
def worker(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    """A real fetch worker on its own database, running the quick canary body."""
    tmp_path = tmp_path_factory.mktemp("junk-jobs")
    url = redis_url.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(url).flushdb()
    env = {"STUB_ENTRY": "tests.platform.canary:quick", "CANARY_FILE": str(tmp_path / "canary")}
    proc = start_worker(url, tmp_path / "data", env, tmp_path / "worker.log")
    try:
        yield url, tmp_path / "canary", 0
    finally:
        end_worker(proc)  # SIGTERM, then SIGKILL after 20 s


pytestmark = pytest.mark.stack

JUNK = {
    "timeout": "abc",
    "created_at": "junk",
    "status": "bogus",
    "result_ttl": "abc",
    "dependency_ids": "abc",
    "enqueued_at": "yesterday",
    "failure_ttl": "1.5",
    "ttl": "x",
    "retry_intervals": "{",
}


def logs(url: str) -> list[str]:
    r = connect(url)
    return [
        str(json.loads(f["data"]).get("message", ""))
        for _, f in r.xrange(keys.events_stream("fetch"))
        if f.get("type") == "log"
    ]


@pytest.mark.parametrize("field", sorted(JUNK))
def test_a_malformed_job_field_is_refused_and_the_worker_goes_on(
    worker: tuple[str, Path, int], field: str
) -> None:
    url, _, _ = worker
    r = connect(url)
    name = r.get(keys.worker_heartbeat("fetch"))
    job_id = f"junk-{field}-{uuid.uuid4().hex[:6]}"
    r.hset(
        f"rq:job:{job_id}", mapping={"status": "queued", "data": RUN_TASK, "origin": keys.queue_name("fetch")}
    )
    r.hset(f"rq:job:{job_id}", field, JUNK[field])
    r.rpush(f"rq:queue:{keys.queue_name('fetch')}", job_id)
    deadline = time.monotonic() + 60
    while r.exists(f"rq:job:{job_id}"):
        assert time.monotonic() < deadline, f"the junk job {job_id} was never handled"
        time.sleep(0.05)
    said = [line for line in logs(url) if job_id in line]
    assert said and f"{field}=" in said[-1] and "malformed" in said[-1], said
    assert r.llen(f"rq:queue:{keys.queue_name('fetch')}") == 0
    # The same worker process takes the next job and runs it.
    plain = hand_written(url, f"after-{job_id}", RUN_TASK)
    assert plain.get_status() == "finished"
    assert r.get(keys.worker_heartbeat("fetch")) == name
