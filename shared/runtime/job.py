"""The one RQ job entry point: ``run_task(module, task, overrides=...)``.

Every job a worker runs goes through here (the worker refuses other callables): it claims
the module (and the device) lease, validates the config, runs the task body from the
registry and records finished / failed (with the error) / stopped.
"""

from __future__ import annotations

import importlib
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from rq import get_current_job

from shared import keys
from shared.event_schema import EventType, TaskStatus
from shared.modules import TaskSpec, get_unit, split_unit
from shared.runtime import leases
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TextRedis, connect
from shared.runtime.context import RedisTaskContext
from shared.runtime.control import device_busy
from shared.runtime.publish import publish
from shared.runtime.state import device_holder, finish, read_state, set_state
from shared.settings import get_settings
from shared.task_context import TaskContext, TaskError, TaskStopped

# Errors a task body raises about the user's input or files, with a message written for
# the user (e.g. "no labelled frames under ui_dataset/<state>/: label frames with add_img
# first"): said as that sentence, without the exception's class name.
USER_ERRORS: tuple[type[Exception], ...] = (
    FileNotFoundError,
    NotADirectoryError,
    PermissionError,
    ValueError,
)
EXPECTED: tuple[type[Exception], ...] = (TaskError, *USER_ERRORS)

log = logging.getLogger(__name__)

Body = Callable[[TaskContext[Any]], None]


def load_body(entry: str) -> Body:
    """Import ``package.module:function``; a readable error when it is not there (yet)."""
    mod_name, _, func_name = entry.partition(":")
    try:
        module = importlib.import_module(mod_name)
        body = getattr(module, func_name)
    except Exception as exc:  # missing module, syntax error, failing import-time code
        raise RuntimeError(f"task body {entry} is not available: {type(exc).__name__}: {exc}") from exc
    if not callable(body):
        raise RuntimeError(f"task body {entry} is not callable")
    return body  # type: ignore[no-any-return]


def describe(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors())


def _refuse(r: TextRedis, module: str, task: str, job_id: str, why: str) -> dict[str, Any]:
    publish(r, module, EventType.log, {"level": "error", "message": why, "task": task, "job_id": job_id})
    raise RuntimeError(why)


def run_task(
    module: str, task: str, overrides: dict[str, Any] | None = None, source: str = "gateway"
) -> dict[str, Any]:
    settings = get_settings()
    r = connect()
    current = get_current_job()
    job_id = current.id if current is not None else uuid.uuid4().hex
    # ``module`` is a unit: the module itself, or ``module@device`` for another device.
    try:
        spec: TaskSpec = get_unit(module).task(task)
    except KeyError as exc:
        raise RuntimeError(str(exc.args[0])) from exc

    holder = leases.claim(r, keys.module_lease(module), job_id)
    if holder is not None:
        other = read_state(r, module).get("task", "?")
        return _refuse(
            r, module, task, job_id, f"module {module} is busy: task {other} (job {holder}) holds it"
        )
    if read_state(r, module).get("job_id") != job_id:
        # Enqueued without the script (plain RQ): make the state name this job.
        set_state(r, module, TaskStatus.queued, task=task, job_id=job_id, fields={})

    ctx: RedisTaskContext[Any] | None = None

    def end(status: TaskStatus, error: str = "", device: str = "") -> dict[str, Any]:
        if ctx is not None:
            ctx.close()  # its queued events go out before the final state
        finish(r, module, job_id, status, error, device)
        leases.release(r, keys.module_lease(module), job_id)
        return {"module": module, "task": task, "job_id": job_id, "status": status.value, "error": error}

    if r.get(keys.stop_flag(module)) == job_id:
        return end(TaskStatus.stopped, "stopped before it started")

    device = ""
    if spec.uses_device:
        device = device_holder(module, task, job_id)
        other_dev = leases.claim(r, keys.device_lease(split_unit(module)[1]), device)
        if other_dev is not None:
            return end(TaskStatus.failed, device_busy(other_dev))

    store = ConfigStore(r, settings.data_dir)
    base = split_unit(module)[0]  # one config per module, whichever device it serves
    try:
        version, stored = store.get(base)
        config = store.merged(base, overrides or {}) if overrides else stored
    except ValidationError as exc:
        return end(TaskStatus.failed, f"invalid config: {describe(exc)}", device)
    try:
        body = load_body(spec.entry)
    except RuntimeError as exc:
        return end(TaskStatus.failed, str(exc), device)

    ctx = RedisTaskContext(
        r,
        module=module,
        task=task,
        job_id=job_id,
        data_dir=settings.data_dir,
        config=config,
        config_version=version,
        device_holder=device,
    )
    set_state(
        r,
        module,
        TaskStatus.running,
        task=task,
        job_id=job_id,
        fields={},
        extra={"started_at": f"{time.time():.6f}", "source": source, "progress": ""},
    )
    ctx.log(f"{task} started" + (f" with overrides {sorted(overrides)}" if overrides else ""))
    try:
        body(ctx)
    except TaskStopped:
        ctx.log(f"{task} stopped")
        return end(TaskStatus.stopped, device=device)
    except EXPECTED as exc:
        # Foreseeable (the body said so, or the user's input or files: a missing folder, a
        # bad value): one plain sentence, the traceback only behind "details"; the job does
        # not raise, so RQ prints no traceback in the terminal; the state ends failed.
        reason = str(exc) or type(exc).__name__
        log.debug("%s:%s failed: %s", module, task, reason, exc_info=True)
        ctx.log(f"{task} failed: {reason}", "error", details=traceback.format_exc(limit=8))
        return end(TaskStatus.failed, reason, device)
    except Exception as exc:
        # A bug: the one-line reason, the traceback as the log line's details (behind a
        # toggle in the console); raised again so RQ records the job as failed.
        error = f"{type(exc).__name__}: {exc}"
        ctx.log(f"{task} failed: {error}", "error", details=traceback.format_exc(limit=8))
        end(TaskStatus.failed, error, device)
        raise
    ctx.log(f"{task} finished")
    return end(TaskStatus.finished, device=device)
