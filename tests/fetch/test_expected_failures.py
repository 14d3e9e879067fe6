"""Expected failures through the real stack (``autobang up``): Bestdori unreachable and too
few titles to train end the task ``failed`` with a one-line reason, the console's log line
carries the traceback as ``details``, and the terminal shows no traceback at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.testing.stack import Stack, start, start_stack, wait_state
from shared import keys
from shared.runtime.connection import connect
from tests.conftest import free_port

pytestmark = pytest.mark.stack


@pytest.fixture
def offline(tmp_path: Path, redis_url: str) -> Iterator[Stack]:
    env = {
        # Nothing listens there: every request is refused at once.
        "AUTOBANG_BESTDORI_URL": f"http://127.0.0.1:{free_port()}",
        "AUTOBANG_BESTDORI_RETRIES": "0",
        "AUTOBANG_BESTDORI_TIMEOUT_S": "2",
    }
    s = start_stack(tmp_path / "data", free_port(), redis_url=redis_url, env=env)
    yield s
    s.stop()


def _failed_line(s: Stack, module: str, job: str) -> dict[str, Any]:
    r = connect(s.redis_url)
    for _id, fields in r.xrange(keys.events_stream(module)):
        data = json.loads(fields["data"])
        if fields["type"] == "log" and data.get("job_id") == job and " failed: " in data["message"]:
            return dict(data)
    raise AssertionError(f"no 'failed' log line for {job}")


@pytest.mark.parametrize(
    ("module", "task", "config", "reason"),
    [
        ("fetch", "fetch", {"fetch_mode": "FetchSongHeader"}, "ConnectError"),
        ("song_recognition", "train_song_recognition", {}, "training needs title crops of at least 2 songs"),
    ],
)
def test_expected_failure_is_one_line(
    offline: Stack, module: str, task: str, config: dict[str, Any], reason: str
) -> None:
    job = start(offline.url, module, task, config)
    st = wait_state(
        offline.url, module, lambda st: st["job_id"] == job and st["status"] == "failed", log=offline.log
    )
    assert reason in st["error"] and "\n" not in st["error"], st
    line = _failed_line(offline, module, job)
    assert line["level"] == "error" and "\n" not in line["message"] and reason in line["message"]
    assert "Traceback" in line["details"]  # for the console's "details" toggle
    assert "Traceback" not in offline.log(), offline.log()[-3000:]
