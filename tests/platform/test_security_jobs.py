"""A job hash written by hand (write access to Redis) cannot make a worker call anything but
the runtime's entry point, nor honour RQ's callback, webhook, dependency, retry or repeat
fields: a real fetch worker (registry patched to a quick body) on its own database."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import redis

from services.launcher import free_port
from services.testing.hand_written import RUN_TASK, hand_written
from services.testing.stack import ROOT, end_process, wait_ready
from shared import keys
from shared.runtime.connection import connect
from shared.runtime.worker import FORBIDDEN_FIELDS

pytestmark = pytest.mark.stack


class Hooks(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        Hooks.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def worker(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    tmp_path = tmp_path_factory.mktemp("allow-list")
    url = redis_url.rsplit("/", 1)[0] + "/11"
    redis.Redis.from_url(url).flushdb()
    canary = tmp_path / "canary"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update(
        {
            "AUTOBANG_REDIS_URL": url,
            "AUTOBANG_DATA_DIR": str(tmp_path / "data"),
            "STUB_ENTRY": "tests.platform.canary:quick",
            "CANARY_FILE": str(canary),
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.platform.stubborn"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    r = connect(url)
    beat = keys.worker_heartbeat("fetch")
    try:
        wait_ready(lambda: bool(r.exists(beat)), "the fetch worker", proc)
        yield url, canary, int(server.server_address[1])
    finally:
        server.shutdown()
        end_process(proc)


def test_a_plain_hand_written_job_of_the_entry_point_still_runs(worker: tuple[str, Path, int]) -> None:
    url, _, _ = worker
    job = hand_written(url, "plain", RUN_TASK)
    assert job.get_status() == "finished"
    assert connect(url).hget(keys.module_state("fetch"), "status") == "finished"


def test_os_system_with_a_failure_callback_and_webhook_runs_nothing(worker: tuple[str, Path, int]) -> None:
    url, canary, port = worker
    job = hand_written(
        url,
        "rogue",
        '["os.system",null,["id"],{}]',
        failure_callback_name="tests.platform.canary.touch",
        webhooks=json.dumps([{"url": f"http://127.0.0.1:{port}/rogue"}]),
    )
    assert job.get_status() == "failed"
    assert "refused job function 'os.system'" in (job.latest_result().exc_string or "")  # type: ignore[union-attr]
    time.sleep(1.0)  # a callback or webhook would have run by the time the job is failed
    assert not canary.exists()
    assert "/rogue" not in Hooks.hits


@pytest.mark.parametrize("field", FORBIDDEN_FIELDS)
def test_each_rq_field_is_refused_and_not_honoured(worker: tuple[str, Path, int], field: str) -> None:
    url, canary, port = worker
    value = {
        "webhooks": json.dumps([{"url": f"http://127.0.0.1:{port}/{field}"}]),
        "dependency_ids": json.dumps(["dep-of-" + field]),
        "dependency_id": "dep-of-" + field,
        "retries_left": "3",
        "retry_intervals": "[0]",
        "repeats_left": "3",
        "repeat_intervals": "[0]",
    }.get(field, "tests.platform.canary.touch")
    job = hand_written(url, f"job-{field}", RUN_TASK, **{field: value})
    assert job.get_status() == "failed"
    exc = job.latest_result().exc_string or ""  # type: ignore[union-attr]
    assert f"refused job job-{field}: it sets {field}" in exc
    time.sleep(0.5)
    assert not canary.exists()
    assert f"/{field}" not in Hooks.hits
    r = connect(url)
    assert r.llen(f"rq:queue:{keys.queue_name('fetch')}") == 0  # not run again (retry, repeat)
    assert r.hget(keys.module_state("fetch"), "status") != "running"
