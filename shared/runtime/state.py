"""The module state hash (the truth) and its deltas on the stream.

Transitions that also move leases (finishing a job, marking a dead one failed) run as one
Lua script, so nobody ever sees "finished" while the lease is still held, and a late
writer cannot overwrite the outcome of a newer job.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from pydantic import ValidationError

from shared import keys
from shared.event_schema import ACTIVE_STATUSES, EventType, PromptData, StateData, TaskStatus
from shared.modules import split_unit
from shared.runtime.connection import TextRedis, eval_lua
from shared.runtime.lenient import as_object, is_wrong_type, junk
from shared.runtime.publish import publish
from shared.settings import get_settings

# KEYS: state hash, stream, module lease, device lease, stop flag
# ARGV: job_id, new status, error, maxlen, ts, device holder value
# Only moves a job that the hash still names and that is still active.
_FINISH_LUA = """
local st = redis.call('HGET', KEYS[1], 'status')
local job = redis.call('HGET', KEYS[1], 'job_id')
if job ~= ARGV[1] or (st ~= 'queued' and st ~= 'running' and st ~= 'stopping') then
  return 0
end
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
if ARGV[6] ~= '' and redis.call('GET', KEYS[4]) == ARGV[6] then redis.call('DEL', KEYS[4]) end
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'error', ARGV[3], 'prompt', '', 'updated_at', ARGV[5])
local task = redis.call('HGET', KEYS[1], 'task') or ''
local fields = redis.call('HGET', KEYS[1], 'fields') or '{}'
local err = cjson.null
if ARGV[3] ~= '' then err = ARGV[3] end
local data = '{"status":' .. cjson.encode(ARGV[2]) .. ',"task":' .. cjson.encode(task) ..
  ',"job_id":' .. cjson.encode(ARGV[1]) .. ',"error":' .. cjson.encode(err) .. ',"fields":' .. fields .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'type', 'state', 'ts', ARGV[5], 'data', data)
return 1
"""


# KEYS: state hash, stream; ARGV: job_id, fields JSON, maxlen, ts. Task-specific fields
# only: the status stays what the hash says (a stop may have moved it to "stopping").
_FIELDS_LUA = """
if redis.call('HGET', KEYS[1], 'job_id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fields', ARGV[2], 'updated_at', ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'status', 'task', 'error')
local err = cjson.null
if h[3] and h[3] ~= '' then err = h[3] end
local data = '{"status":' .. cjson.encode(h[1]) .. ',"task":' .. cjson.encode(h[2] or '') ..
  ',"job_id":' .. cjson.encode(ARGV[1]) .. ',"error":' .. cjson.encode(err) .. ',"fields":' .. ARGV[2] .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'type', 'state', 'ts', ARGV[4], 'data', data)
return 1
"""


def set_fields(r: TextRedis, module: str, job_id: str, fields: dict[str, Any]) -> bool:
    """Replace the task's status fields (sidebar) and publish the state, keeping the status."""
    done = eval_lua(
        r,
        _FIELDS_LUA,
        [keys.module_state(module), keys.events_stream(module)],
        [job_id, json.dumps(fields, default=str), str(get_settings().stream_maxlen), f"{time.time():.6f}"],
    )
    return bool(done)


def device_holder(module: str, task: str, job_id: str) -> str:
    return f"{module}:{task}:{job_id}"


_STATUSES = {s.value for s in TaskStatus}


def read_state(r: TextRedis, module: str) -> dict[str, str]:
    """The state hash; {} (idle) when the key holds another type (junk: the next task's
    start writes a hash over it)."""
    key = keys.module_state(module)
    try:
        return dict(r.hgetall(key))
    except redis.ResponseError as exc:
        if not is_wrong_type(exc):
            raise
        junk(key, "", " (not a hash)")
        return {}


def state_data(raw: dict[str, str]) -> StateData:
    """The hash as the API shows it. A status nobody wrote (junk) shows as failed with
    why, so the dashboard shows a state it knows and a start replaces it."""
    status = raw.get("status") or TaskStatus.idle.value
    error = raw.get("error") or None
    if status not in _STATUSES:
        junk("state.status", status)
        status, error = TaskStatus.failed.value, f"unreadable state in Redis (status {status[:40]!r})"
    fields = as_object(raw.get("fields"), "state.fields") or {}
    return StateData(
        status=TaskStatus(status),
        task=raw.get("task") or None,
        job_id=raw.get("job_id") or None,
        error=error,
        fields=fields,
    )


def open_prompt(raw: dict[str, str]) -> dict[str, Any] | None:
    """The open prompt as written by ``ask``; None when none, or junk (not a prompt)."""
    value = as_object(raw.get("prompt"), "state.prompt")
    if value is None:
        return None
    try:
        return PromptData.model_validate(value).model_dump(mode="json")
    except ValidationError:
        junk("state.prompt", value, " (not a prompt)")
        return None


def is_active(raw: dict[str, str]) -> bool:  # a junk status is not active
    return raw.get("status") in {s.value for s in ACTIVE_STATUSES}


def set_state(
    r: TextRedis,
    module: str,
    status: TaskStatus,
    *,
    task: str,
    job_id: str,
    error: str = "",
    fields: dict[str, Any],
    extra: dict[str, str] | None = None,
) -> str:
    """Write the hash and publish the whole state as a delta event."""
    mapping: dict[str, str] = {
        "status": status.value,
        "task": task,
        "job_id": job_id,
        "error": error,
        "fields": json.dumps(fields, default=str),
        "updated_at": f"{time.time():.6f}",
    }
    if extra:
        mapping.update(extra)
    r.hset(keys.module_state(module), mapping=mapping)  # type: ignore[arg-type]
    data = StateData(status=status, task=task, job_id=job_id, error=error or None, fields=fields)
    return publish(r, module, EventType.state, data.model_dump(mode="json"))


def finish(
    r: TextRedis, module: str, job_id: str, status: TaskStatus, error: str = "", device: str = ""
) -> bool:
    """Move the module's job to a final status, releasing its leases; False when the hash
    no longer names this job as active (someone else already decided)."""
    done = eval_lua(
        r,
        _FINISH_LUA,
        [
            keys.module_state(module),
            keys.events_stream(module),
            keys.module_lease(module),
            keys.device_lease(split_unit(module)[1]),
            keys.stop_flag(module),
        ],
        [job_id, status.value, error, str(get_settings().stream_maxlen), f"{time.time():.6f}", device],
    )
    return bool(done)
