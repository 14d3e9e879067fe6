"""``ctx.device``: the runtime builds the task's device from the settings on first use and
closes it when the task ends; a task without the device lease gets a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.config import ScriptorConfig
from shared.device.pictures import PictureDevice
from shared.runtime.connection import connect
from shared.runtime.context import RedisTaskContext
from shared.settings import get_settings
from shared.task_context import TaskStopped
from tests.task_double import RecordingContext


@pytest.fixture
def sim_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("AUTOBANG_DEVICE", "sim")
    monkeypatch.setenv("AUTOBANG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def context(redis_url: str, tmp_path: Path, holder: str) -> RedisTaskContext[ScriptorConfig]:
    return RedisTaskContext(
        connect(redis_url),
        module="scriptor",
        task="start_scriptor",
        job_id="j1",
        data_dir=tmp_path,
        config=ScriptorConfig(),
        config_version=0,
        device_holder=holder,
    )


def test_a_device_task_gets_its_device_once_and_it_is_closed(
    redis_url: str, tmp_path: Path, sim_settings: None
) -> None:
    ctx = context(redis_url, tmp_path, "scriptor:start_scriptor:j1")
    try:
        device = ctx.device
        assert isinstance(device, PictureDevice) and device.info.spec == "sim"
        assert ctx.device is device  # built once, on first use
        assert device.screencap().shape == (720, 1280, 3)
    finally:
        ctx.close()
    assert ctx._game is None  # closed with the task


def test_a_task_without_the_device_lease_has_no_device(redis_url: str, tmp_path: Path) -> None:
    ctx = context(redis_url, tmp_path, "")
    try:
        with pytest.raises(RuntimeError, match="only tasks with uses_device hold the device lease"):
            _ = ctx.device
    finally:
        ctx.close()


def test_the_scriptor_reads_its_frames_from_ctx_device(tmp_path: Path) -> None:
    from services.scriptor.tasks import start_scriptor

    device = PictureDevice(None)
    config = ScriptorConfig(is_no_action=True)  # recognise and report, never touch
    ctx = RecordingContext(tmp_path, config, module="scriptor", device=device, stop_after_checkpoints=3)
    with pytest.raises(TaskStopped):
        start_scriptor(ctx)
    assert device.count >= 2  # it read frames from the device it was given
    screens = [s["screen"] for s in ctx.states if "screen" in s]
    assert screens and all(isinstance(s, str) for s in screens)
    with pytest.raises(RuntimeError, match="pass device= to RecordingContext"):
        _ = RecordingContext(tmp_path, ScriptorConfig()).device


@pytest.mark.stack
def test_the_real_workflow_body_reads_ctx_device_in_a_worker(tmp_path: Path) -> None:
    """The product's own bodies in real workers: the runtime builds the device from
    AUTOBANG_DEVICE (sim: pictures here) and the workflow publishes its frames."""
    from services.launcher import free_port
    from services.testing.events import stop_and_wait
    from services.testing.stack import start, start_stack, wait_state

    stack = start_stack(tmp_path / "data", free_port(), test_bodies=False)
    try:
        start(stack.url, "workflow", "workflow")
        state = wait_state(stack.url, "workflow", lambda s: int(s.get("fields", {}).get("frames", 0)) >= 2)
        assert state["status"] == "running"
        png = httpx.get(f"{stack.url}/api/workflow/images/frame", timeout=10)
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert stop_and_wait(stack.url, "workflow")["status"] == "stopped"
    finally:
        stack.stop()
