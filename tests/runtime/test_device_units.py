"""Several devices: a module's tasks for another device of the device list run as its unit
``module@device`` (own queue, state, lease), and each device has a lease of its own. Two
scriptor runs for two devices are both accepted; a second one for the same device, or
another device task on a device in use, is refused in words naming the device."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from shared import keys
from shared.modules import get_unit, split_unit, unit_name
from shared.runtime import job_hash, leases
from shared.runtime.connection import TextRedis, connect, eval_lua
from shared.runtime.control import INJECT_LUA, Busy, start_task, stop_module
from shared.runtime.registry import publish_registry
from shared.runtime.state import read_state

FREE = {"mode": "Free"}


@pytest.fixture
def r(redis_url: str) -> Iterator[TextRedis]:
    client = connect(redis_url.rsplit("/", 1)[0] + "/9")
    client.flushdb()
    publish_registry(client)
    yield client
    client.flushdb()


def test_unit_names() -> None:
    assert unit_name("scriptor") == "scriptor" and unit_name("scriptor", "mumu2") == "scriptor@mumu2"
    assert split_unit("scriptor@mumu2") == ("scriptor", "mumu2") and split_unit("fetch") == ("fetch", "")
    assert get_unit("scriptor@mumu2").name == "scriptor"
    with pytest.raises(KeyError, match="no task that uses a device"):
        get_unit("fetch@mumu2")
    with pytest.raises(KeyError, match="lower-case letters"):
        get_unit("scriptor@MuMu 2")
    assert keys.device_lease() == keys.DEVICE_LEASE == "autobang:lease:device"
    assert keys.device_lease("mumu2") == "autobang:lease:device:mumu2"
    assert keys.queue_name("scriptor@mumu2") == "autobang:scriptor@mumu2"


def test_one_scriptor_run_per_device_in_parallel_and_the_same_device_refused(r: TextRedis) -> None:
    first = start_task(r, "scriptor", "start_scriptor", FREE)
    second = start_task(r, "scriptor@second", "start_scriptor", FREE)
    assert first != second
    assert read_state(r, "scriptor")["job_id"] == first
    assert read_state(r, "scriptor@second")["job_id"] == second  # a state of its own
    assert r.lrange(f"rq:queue:{keys.queue_name('scriptor@second')}", 0, -1) == [second]
    with pytest.raises(Busy, match=f"module scriptor@second is busy: task start_scriptor .job {second}"):
        start_task(r, "scriptor@second", "start_scriptor", FREE)
    # Stopping one leaves the other as it was.
    assert stop_module(r, "scriptor@second")["status"] == "stopped"
    assert read_state(r, "scriptor")["status"] == "queued"
    assert read_state(r, "scriptor@second")["status"] == "stopped"


def test_a_device_in_use_refuses_other_device_tasks_on_it_only(r: TextRedis) -> None:
    holder = "scriptor@second:start_scriptor:j1"
    assert leases.claim(r, keys.device_lease("second"), holder) is None  # the run started
    with pytest.raises(Busy, match=r"^the device second is in use by Scriptor; device tasks run one"):
        start_task(r, "workflow@second", "workflow", {})
    assert start_task(r, "workflow", "workflow", {})  # the first device is free
    assert start_task(r, "workflow@third", "workflow", {})


def inject(r: TextRedis, unit: str, task: str) -> str:
    """The injection script as redis-cli runs it; the error reply's text."""
    try:
        return str(eval_lua(r, INJECT_LUA, [], [unit, task, "{}"]))
    except redis.ResponseError as exc:
        return str(exc)


def test_bad_units_are_refused_by_the_injection_script(r: TextRedis) -> None:
    said = inject(r, "song_recognition@second", "train_song_recognition")
    assert said.startswith("UNKNOWN_TASK task 'song_recognition:train_song_recognition' does not use")
    assert inject(r, "scriptor@Second!", "start_scriptor").startswith("UNKNOWN_TASK unknown device")
    assert inject(r, "scriptor@second", "nope").startswith("UNKNOWN_TASK unknown task 'scriptor:nope'")
    assert inject(r, "song_recognition@second", "add_song").startswith("inj-")  # a device task


def test_a_units_queue_names_its_unit() -> None:
    assert job_hash.module_of({"origin": "autobang:scriptor@second"}) == "scriptor@second"
    assert job_hash.module_of({"origin": "autobang:scriptor"}) == "scriptor"
    assert job_hash.module_of({"origin": "autobang:nothing@second"}) == ""
