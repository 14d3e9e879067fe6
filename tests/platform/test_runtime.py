"""Runtime pieces against a real Redis (own database): config store and its file mirror,
the registry rules the injection script checks, stream ids and the trimmed rule."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq.job import Job
from rq.utils import utcformat

from services.gateway.hub import was_trimmed
from services.gateway.ws import parse_since
from shared import keys
from shared.config import ScriptorConfig, UIRecognitionConfig
from shared.runtime.config_store import ConfigFileError, ConfigStore, config_path, read_mirror
from shared.runtime.connection import TextRedis, connect
from shared.runtime.context import live_fields, png_size
from shared.runtime.leases import claim, release, renew
from shared.runtime.registry import field_rules, publish_registry
from shared.runtime.streamids import parse_id


@pytest.fixture
def r(redis_url: str) -> Iterator[TextRedis]:
    client = connect(redis_url.rsplit("/", 1)[0] + "/8")
    client.flushdb()
    yield client
    client.flushdb()


def test_config_versions_and_atomic_mirror(r: TextRedis, tmp_path: Path) -> None:
    store = ConfigStore(r, tmp_path)
    assert store.get("ui_recognition") == (0, UIRecognitionConfig())
    v1 = store.put("ui_recognition", UIRecognitionConfig(epoch=7))
    v2 = store.put("ui_recognition", store.merged("ui_recognition", {"batch_size": 64}))
    assert (v1, v2) == (1, 2)
    version, config = store.get("ui_recognition")
    assert version == 2 and (config.epoch, config.batch_size) == (7, 64)  # type: ignore[attr-defined]
    assert read_mirror(tmp_path, "ui_recognition") == (2, config.model_dump(mode="json"))
    assert [p.name for p in config_path(tmp_path, "x").parent.iterdir()] == ["ui_recognition.json"]  # no temp


def test_restore_takes_the_newer_side(r: TextRedis, tmp_path: Path) -> None:
    store = ConfigStore(r, tmp_path)
    store.put("scriptor", ScriptorConfig(MAX_RE_READY=3))
    r.flushdb()  # Redis lost its data
    store.restore()
    version, config = store.get("scriptor")
    assert version == 1 and config.MAX_RE_READY == 3  # type: ignore[attr-defined]
    store.put("scriptor", ScriptorConfig(MAX_RE_READY=4))
    config_path(tmp_path, "scriptor").unlink()  # the mirror lost it: written back from Redis
    store.restore()
    assert read_mirror(tmp_path, "scriptor") is not None
    assert read_mirror(tmp_path, "scriptor")[0] == 2  # type: ignore[index]


def test_corrupt_mirror_is_a_readable_error_and_redis_is_kept(
    r: TextRedis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ConfigStore(r, tmp_path)
    store.put("fetch", store.merged("fetch", {"song_id": 12}))
    config_path(tmp_path, "fetch").write_text("{not json")
    with pytest.raises(ConfigFileError, match=r"fetch\.json is unreadable"):
        read_mirror(tmp_path, "fetch")
    with caplog.at_level(logging.ERROR):
        store.restore()
    assert "unreadable" in caplog.text
    assert store.get("fetch")[1].song_id == 12  # type: ignore[attr-defined]


def test_a_corrupt_file_with_redis_lost_is_kept_aside_and_said_in_the_dashboard(
    r: TextRedis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ConfigStore(r, tmp_path)
    store.put("scriptor", ScriptorConfig(MAX_RE_READY=4))
    r.delete(keys.config_key("scriptor"), keys.config_version("scriptor"))  # Redis lost its data
    path = config_path(tmp_path, "scriptor")
    path.write_text('{"version": 3, "config": {"MAX_RE_')  # and the file is cut short
    with caplog.at_level(logging.WARNING):
        store.restore()
    assert "keeping" not in caplog.text and "using defaults" in caplog.text, caplog.text
    kept = list(tmp_path.glob("config/scriptor.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == '{"version": 3, "config": {"MAX_RE_'
    assert store.get("scriptor")[1] == ScriptorConfig()
    said = [json.loads(f["data"]) for _, f in r.xrange(keys.events_stream("scriptor")) if f["type"] == "log"]
    assert any(d["level"] == "warning" and kept[0].name in d["message"] for d in said), said
    # The next save writes a new file; the kept copy stays as it was.
    store.put("scriptor", ScriptorConfig(MAX_RE_READY=5))
    assert read_mirror(tmp_path, "scriptor") is not None
    assert kept[0].read_text() == '{"version": 3, "config": {"MAX_RE_'


def test_registry_rules_for_the_injection_script(r: TextRedis) -> None:
    rules = field_rules(ScriptorConfig.model_json_schema())
    assert rules["dilation_time"] == {"type": "integer", "minimum": 1_000_000, "maximum": 1_005_000}
    assert rules["mode"]["enum"] == ["Free", "Collaborate", "Stage", "Event", "Story"]
    assert rules["lobby"]["type"] == "boolean" and rules["weights"]["type"] == "array"
    publish_registry(r)
    assert "ui_recognition:add_img" in r.smembers(keys.ALLOWED_TASKS)
    assert "fetch:fetch" not in r.smembers(keys.DEVICE_TASKS)
    assert json.loads(r.hget(keys.config_fields("ui_recognition"), "epoch") or "")["maximum"] == 100


def test_leases_belong_to_their_owner(r: TextRedis) -> None:
    assert claim(r, "autobang:lease:t", "job-a") is None
    assert claim(r, "autobang:lease:t", "job-a") is None  # re-claim by the holder
    assert claim(r, "autobang:lease:t", "job-b") == "job-a"
    assert not renew(r, "autobang:lease:t", "job-b") and renew(r, "autobang:lease:t", "job-a")
    assert not release(r, "autobang:lease:t", "job-b") and release(r, "autobang:lease:t", "job-a")
    assert claim(r, "autobang:lease:t", "job-b") is None


def test_live_fields_follow_the_x_live_keys() -> None:
    live = live_fields(ScriptorConfig)
    assert "mode" in live and "weights" in live and "mumu_port" not in live
    assert live_fields(UIRecognitionConfig) == set()


def test_stream_ids_since_and_trimmed() -> None:
    assert parse_id("1700000000000-12") > parse_id("1700000000000-9")  # numeric, not text order
    assert parse_since("scriptor:1-2, fetch:3-0,bogus:1-0,workflow:x") == {"scriptor": "1-2", "fetch": "3-0"}
    info = {"length": 10, "entries-added": 10, "first-entry": ("5-0", {}), "max-deleted-entry-id": "0-0"}
    assert not was_trimmed(info, (0, 0))  # nothing ever removed
    info = {**info, "entries-added": 15}
    assert was_trimmed(info, (0, 0)) and was_trimmed(info, (4, 0)) and not was_trimmed(info, (5, 0))
    assert was_trimmed({**info, "entries-added": 10, "max-deleted-entry-id": "7-0"}, (6, 0))


def test_png_size_reads_the_header() -> None:
    import cv2
    import numpy as np

    ok, buf = cv2.imencode(".png", np.zeros((12, 34, 3), np.uint8))
    assert ok and png_size(buf.tobytes()) == (34, 12)
    with pytest.raises(ValueError, match="PNG"):
        png_size(b"GIF89a....")


def test_reconcile_gives_up_queued_jobs_that_rq_no_longer_has(r: TextRedis, redis_url: str) -> None:
    from shared.runtime.connection import connect_bytes
    from shared.runtime.control import reconcile, start_task
    from shared.runtime.state import read_state

    rb = connect_bytes(redis_url.rsplit("/", 1)[0] + "/8")
    publish_registry(r)
    job = start_task(r, "fetch", "fetch")  # no worker: it waits
    assert reconcile(r, rb, "fetch") is None and read_state(r, "fetch")["status"] == "queued"
    now = datetime.now(UTC)
    started: dict[str | bytes, str] = {
        "status": "started",
        "started_at": utcformat(now),
    }
    r.hset(Job.key_for(job), mapping=started)  # taken by a worker...
    assert reconcile(r, rb, "fetch") is None  # ...just now: give it time to claim the module
    long_ago = utcformat(now - timedelta(seconds=60))
    r.hset(Job.key_for(job), "started_at", long_ago)  # and the lease never got its TTL
    assert reconcile(r, rb, "fetch") == "failed"
    state = read_state(r, "fetch")
    assert state["status"] == "failed" and "died before the task started" in state["error"]
    assert r.get(keys.module_lease("fetch")) is None

    job = start_task(r, "fetch", "fetch")
    r.delete(Job.key_for(job))
    assert reconcile(r, rb, "fetch") == "failed"
    assert read_state(r, "fetch")["error"] == "the queued job disappeared from Redis"
