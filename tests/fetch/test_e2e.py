"""End to end: the fetch task through the real stack (``autobang up``: gateway, Redis, RQ
workers) against the fake Bestdori on loopback, driven over the REST API like the
dashboard does; stopped in the middle of FetchLack and resumed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.testing.stack import Stack, start, start_stack, wait_state
from tests.conftest import free_port
from tests.fetch.fake_bestdori import FakeBestdori, chart_url

pytestmark = pytest.mark.stack

WAIT_S = 60.0  # generous: the machine is shared; nothing here asserts speed
SERVED = {(1, 0), (316, 3), (570, 0), (689, 4), (10001, 4)}


@pytest.fixture
def stack(tmp_path: Path, redis_url: str, bestdori: FakeBestdori) -> Iterator[Stack]:
    env = {
        "AUTOBANG_BESTDORI_URL": bestdori.url,
        "AUTOBANG_BESTDORI_TIMEOUT_S": "5",
        "AUTOBANG_BESTDORI_RETRIES": "1",
        "AUTOBANG_BESTDORI_BACKOFF_S": "0.01",
        # Spaced out so the test can stop FetchLack between two charts.
        "AUTOBANG_BESTDORI_INTERVAL_S": "0.8",
    }
    s = start_stack(tmp_path / "data", free_port(), redis_url=redis_url, env=env)
    yield s
    s.stop()


def wait(s: Stack, pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return wait_state(s.url, "fetch", pred, WAIT_S, s.log)


def run_fetch(s: Stack, mode: str, until: tuple[str, ...] = ("finished", "failed")) -> dict[str, Any]:
    job = start(s.url, "fetch", "fetch", {"fetch_mode": mode})
    return wait(s, lambda st: st["job_id"] == job and st["status"] in until)


def charts(s: Stack) -> set[tuple[int, int]]:
    d = s.data_dir / "charts"
    return {(int(p.stem.split("_")[0]), int(p.stem.split("_")[1])) for p in d.glob("*.bestdori")}


def test_fetch_through_the_worker_stop_and_resume(stack: Stack, bestdori: FakeBestdori) -> None:
    done = run_fetch(stack, "FetchSongHeader")
    assert done["status"] == "finished", done
    assert (stack.data_dir / "catalog" / "songs-all.json").read_bytes() == bestdori.songs_all

    # FetchLack, stopped once two charts are in.
    resp = httpx.post(
        f"{stack.url}/api/fetch/tasks/fetch/start", json={"config": {"fetch_mode": "FetchLack"}}, timeout=10
    )
    job = resp.json()["job_id"]
    wait(stack, lambda st: st["job_id"] == job and len(charts(stack)) >= 2)
    httpx.post(f"{stack.url}/api/fetch/stop", timeout=10)
    ended = ("stopped", "finished", "failed")
    stopped = wait(stack, lambda st: st["job_id"] == job and st["status"] in ended)
    assert stopped["status"] == "stopped", stopped
    first = charts(stack)
    assert 2 <= len(first) < len(SERVED)
    assert not list((stack.data_dir / "charts").glob("*.tmp"))

    resumed = run_fetch(stack, "FetchLack")
    assert resumed["status"] == "finished", resumed
    assert resumed["progress"]["done"] == resumed["progress"]["total"] == len(SERVED) - len(first)
    assert charts(stack) == SERVED
    assert sorted(bestdori.hits_for(chart_url(s, d)) for s, d in SERVED) == [1] * len(SERVED)

    # The rest of the system sees the library.
    check = httpx.get(f"{stack.url}/api/scriptor/check-song/316", timeout=10).json()
    assert check["ok"] is True and "charts for expert" in check["message"]
    song = httpx.get(f"{stack.url}/api/songs/689", timeout=10).json()
    assert song["charts"] == ["special"]
    listed = httpx.get(f"{stack.url}/api/songs", params={"has_chart": "true"}, timeout=10).json()
    assert listed["shipped_catalog"] is False
    assert [s["id"] for s in listed["songs"]] == [1, 316, 570, 689, 10001]
