"""The real ``RedisTaskContext`` against the real redis-server: a live config change is
acknowledged once, however many checkpoints follow it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared import keys
from shared.config import FetchConfig, ScriptorConfig
from shared.config.fetch import FetchMode
from shared.runtime import leases
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TextRedis, connect
from shared.runtime.context import FULL_CHECK_S, RedisTaskContext


@pytest.fixture
def r(redis_url: str) -> Iterator[TextRedis]:
    client = connect(redis_url.rsplit("/", 1)[0] + "/11")
    client.flushdb()
    yield client
    client.flushdb()


def _events(r: TextRedis, module: str, type_: str) -> list[dict[str, object]]:
    out = []
    for _id, fields in r.xrange(keys.events_stream(module)):
        if fields["type"] == type_:
            out.append(json.loads(fields["data"]))
    return out


@pytest.mark.parametrize(
    ("module", "config", "change", "note"),
    [
        # a non-live field: the "no live change" note that used to repeat every second
        ("fetch", FetchConfig(), FetchConfig(fetch_mode=FetchMode.FetchOne), "(no live change)"),
        ("scriptor", ScriptorConfig(), ScriptorConfig(is_repeat=False), "applied: is_repeat"),
    ],
)
def test_one_change_one_acknowledgement(
    r: TextRedis,
    tmp_path: Path,
    module: str,
    config: FetchConfig | ScriptorConfig,
    change: FetchConfig | ScriptorConfig,
    note: str,
) -> None:
    assert leases.claim(r, keys.module_lease(module), "job-1") is None  # as run_task does
    store = ConfigStore(r, tmp_path)
    start_version = store.put(module, config)
    ctx = RedisTaskContext(
        r,
        module=module,
        task="t",
        job_id="job-1",
        data_dir=tmp_path,
        config=config,
        config_version=start_version,
    )
    try:
        ctx.checkpoint()
        version = store.put(module, change)
        # Several full re-reads of the version key after the change (one per FULL_CHECK_S).
        ctx.sleep(FULL_CHECK_S * 3.5)
        ctx.checkpoint()
    finally:
        ctx.close()
    acks = _events(r, module, "config")
    assert [a["version"] for a in acks] == [version]
    notes = [e["message"] for e in _events(r, module, "log") if "config v" in str(e["message"])]
    assert len(notes) == 1 and note in str(notes[0]), notes
    # Live fields are in the running config; non-live ones wait for the next start.
    assert ctx.config == (config if module == "fetch" else change)
