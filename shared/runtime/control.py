"""Control of modules from outside a task (the gateway, the launcher, the CLI): start through
the injection script, cooperative stop, replies to prompts, and the reconciler that forces
stops after the grace period and marks jobs of dead workers failed."""

from __future__ import annotations

import json
import logging
import time
import uuid
from importlib import resources
from typing import Any

import redis
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.serializers import JSONSerializer
from rq.utils import now, utcformat, utcparse

from shared import keys
from shared.event_schema import EventType, PromptData, TaskStatus
from shared.modules import get_unit, split_unit
from shared.runtime import leases
from shared.runtime.connection import BytesRedis, TextRedis, eval_lua
from shared.runtime.lenient import as_float
from shared.runtime.publish import publish
from shared.runtime.state import device_holder, finish, is_active, open_prompt, read_state, state_data
from shared.settings import get_settings

log = logging.getLogger(__name__)

# RQ job statuses after which a queued job will never run.
ENDED = {s.value for s in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED, JobStatus.FINISHED)}

INJECT_LUA = resources.files("shared.runtime").joinpath("inject.lua").read_text(encoding="utf-8")


class ControlError(Exception):
    status_code = 400


class UnknownTask(ControlError):
    status_code = 404


class Busy(ControlError):
    status_code = 409


class InvalidConfig(ControlError):
    status_code = 422


class NoPrompt(ControlError):
    status_code = 409


_CODES: dict[str, type[ControlError]] = {
    "UNKNOWN_TASK": UnknownTask,
    "MODULE_BUSY": Busy,
    "DEVICE_BUSY": Busy,
    "INVALID_CONFIG": InvalidConfig,
}


def device_user(holder: str) -> str:
    """The device lease's value (``module:task:job``) in words: the module's title, or the
    task's and the module's when the module has several ("Add songs in Song Recognition")."""
    module, _, rest = holder.partition(":")
    task = rest.partition(":")[0]
    try:
        spec = get_unit(module)
        title = spec.task(task).title
    except KeyError:
        return holder  # not ours to name: show it as it is
    return spec.title if len(spec.tasks) == 1 or title == spec.title else f"{title} in {spec.title}"


def device_busy(holder: str) -> str:
    device = split_unit(holder.partition(":")[0])[1]
    which = f"the device {device}" if device else "the device"
    return f"{which} is in use by {device_user(holder)}; device tasks run one at a time: stop it first"


def start_task(r: TextRedis, module: str, task: str, overrides: dict[str, Any] | None = None) -> str:
    """Enqueue ``module:task`` (config overrides already validated by the caller) through
    the same Lua script redis-cli users run. Returns the job id."""
    get_unit(module).task(task)  # KeyError for unknown names, before touching Redis
    job_id = uuid.uuid4().hex
    ts = utcformat(now())  # RQ's timestamp format (the script writes it into the job hash)
    try:
        args = [module, task, json.dumps(overrides or {}), job_id, "gateway", ts]
        return str(eval_lua(r, INJECT_LUA, [], args))
    except redis.ResponseError as exc:
        code, _, message = str(exc).partition(" ")
        if code == "DUPLICATE_JOB" and job_id in message:
            return job_id  # our first try went through; its reply was lost (Redis restarted)
        if code == "DEVICE_BUSY" and " is in use by " in message:
            message = device_busy(message.partition(" is in use by ")[2])
        raise _CODES.get(code, ControlError)(message or str(exc)) from exc


def stop_module(r: TextRedis, module: str, task: str | None = None) -> dict[str, Any]:
    """Ask the module's job to stop. A queued job is cancelled at once; a running one sees
    the stop at its next checkpoint (the reconciler kills it after the grace period)."""
    raw = read_state(r, module)
    job_id = raw.get("job_id", "")
    if not is_active(raw) or (task is not None and raw.get("task") != task):
        return {
            "module": module,
            "job_id": job_id or None,
            "status": raw.get("status", "idle"),
            "stopping": False,
        }
    if raw.get("status") == TaskStatus.queued.value:
        # A worker may have taken it just now; then the stop flag below reaches it instead.
        removed = r.lrem(Queue(keys.queue_name(module), connection=r).key, 0, job_id)
        if removed and finish(r, module, job_id, TaskStatus.stopped, "cancelled before it started"):
            r.hset(Job.key_for(job_id), "status", JobStatus.CANCELED.value)
            return {"module": module, "job_id": job_id, "status": "stopped", "stopping": False}
    r.set(keys.stop_flag(module), job_id, ex=3600)
    if raw.get("status") == TaskStatus.running.value:
        r.hset(
            keys.module_state(module),
            mapping={"status": TaskStatus.stopping.value, "stop_requested_at": f"{time.time():.6f}"},
        )
        state = read_state(r, module)
        if state.get("job_id") == job_id:
            publish(r, module, EventType.state, state_data(state).model_dump(mode="json"))
    r.publish(keys.control_channel(module), "stop")
    return {"module": module, "job_id": job_id, "status": "stopping", "stopping": True}


def reply(r: TextRedis, module: str, answer: str, text: str | None, prompt_id: str | None) -> PromptData:
    raw = read_state(r, module)
    prompt = open_prompt(raw) if is_active(raw) else None
    if prompt is None:
        raise NoPrompt(f"module {module} has no open prompt")
    data = PromptData.model_validate(prompt)
    if prompt_id and prompt_id != data.prompt_id:
        raise NoPrompt(f"prompt {prompt_id} is closed; the open one is {data.prompt_id}")
    if answer not in data.options:
        raise InvalidConfig(f"answer must be one of {', '.join(data.options)}")
    r.rpush(
        keys.reply_list(module), json.dumps({"prompt_id": data.prompt_id, "answer": answer, "text": text})
    )
    r.publish(keys.control_channel(module), "reply")
    return data


# (module, job id) -> when this process first saw the job active without its lease.
_MISSING: dict[tuple[str, str], float] = {}


def reconcile(r: TextRedis, rb: BytesRedis, module: str) -> str | None:
    """One pass over a module: kill a job that ignored a stop past the grace period, mark a
    job whose lease expired (its worker died) failed. Returns what it did, if anything."""
    raw = read_state(r, module)
    job_id = raw.get("job_id", "") if is_active(raw) else ""
    for seen in [k for k in _MISSING if k[0] == module and k[1] != job_id]:
        del _MISSING[seen]  # that job ended: forget it
    if not job_id:
        return None
    if raw.get("status") == TaskStatus.queued.value:
        return _reconcile_queued(r, module, job_id)
    task = raw.get("task", "")
    device = device_holder(module, task, job_id)
    if raw.get("status") == TaskStatus.stopping.value:
        asked = as_float(raw.get("stop_requested_at"), "state.stop_requested_at")
        grace = get_settings().stop_grace_s
        if asked and time.time() - asked > grace:
            try:
                send_stop_job_command(rb, job_id, serializer=JSONSerializer)
            except (InvalidJobOperation, NoSuchJobError) as exc:
                log.info("force stop of %s: %s", job_id, exc)
            if finish(
                r, module, job_id, TaskStatus.stopped, f"killed: ignored the stop for {grace:g} s", device
            ):
                r.delete(keys.reply_list(module))
                return "killed"
            return None
    if r.get(keys.module_lease(module)) == job_id:
        _MISSING.pop((module, job_id), None)
        return None
    # Missing: expired (the job died), or expired during a Redis stall with the job alive
    # (its next renewal takes the key back). Dead only once it stays missing.
    first = _MISSING.setdefault((module, job_id), time.monotonic())
    if time.monotonic() - first < leases.LEASE_MISSING_S:
        return None
    _MISSING.pop((module, job_id), None)
    silent = leases.LEASE_TTL_MS / 1000 + leases.LEASE_MISSING_S
    why = f"the worker running {task} died (no heartbeat for {silent:g} s)"
    if finish(r, module, job_id, TaskStatus.failed, why, device):
        publish(r, module, EventType.log, {"level": "error", "message": why, "task": task, "job_id": job_id})
        return "failed"
    return None


def _reconcile_queued(r: TextRedis, module: str, job_id: str) -> str | None:
    """A queued job waits as long as it takes a worker to come; it is only given up when
    RQ no longer has it waiting: the job is gone or ended, or a worker took it and died
    before the task could claim the module (the lease then never got its TTL)."""
    rq_status, started_at = r.hmget(Job.key_for(job_id), ["status", "started_at"])
    why = ""
    if rq_status is None:
        why = "the queued job disappeared from Redis"
    elif rq_status in ENDED:
        why = f"the job ended as {rq_status} before the task started"
    elif rq_status == JobStatus.STARTED.value:
        try:
            since = time.time() - utcparse(started_at or "").timestamp()
        except ValueError:
            since = 0.0
        if since > leases.LEASE_TTL_MS / 1000 and r.pttl(keys.module_lease(module)) == -1:
            why = "the worker that took the job died before the task started"
    if why and finish(r, module, job_id, TaskStatus.failed, why):
        return "failed"
    return None
