"""A job written by hand into Redis (``HSET rq:job:<id>`` then ``RPUSH`` the queue): what a
client with write access can do, for the tests of what a worker accepts from such a job."""

from __future__ import annotations

import time

import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from services.testing.stack import WAIT_S
from shared import keys
from shared.runtime.connection import connect

# The runtime's entry point for the fetch module's task: the only callable a worker runs.
RUN_TASK = '["shared.runtime.job.run_task",null,["fetch","fetch"],{}]'


def hand_written(url: str, job_id: str, data: str, **fields: str) -> Job:
    """Queue a hand-written fetch job and wait until a worker has ended it (or WAIT_S)."""
    r = connect(url)
    queue = keys.queue_name("fetch")
    mapping: dict[str | bytes, str] = {"status": "queued", "data": data, "origin": queue}
    mapping.update(fields)
    r.hset(f"rq:job:{job_id}", mapping=mapping)
    r.rpush(f"rq:queue:{queue}", job_id)
    rb = redis.Redis.from_url(url)
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        status = r.hget(f"rq:job:{job_id}", "status")
        if status in ("failed", "finished") and not r.exists(keys.module_lease("fetch")):
            break
        time.sleep(0.05)
    return Job.fetch(job_id, connection=rb, serializer=JSONSerializer)
