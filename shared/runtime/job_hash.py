"""An RQ job hash checked before RQ parses it. RQ reads the hash's fields with ``int()``,
date parsing, ``JobStatus(...)`` and ``json.loads`` while dequeuing, outside any handler:
one junk field (written by hand into Redis) would end the worker, leave the job queued, and
do it again after each restart. A malformed job is failed instead, with the field named."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from rq.job import JobStatus
from rq.utils import str_to_date

from shared import keys
from shared.event_schema import EventType, TaskStatus
from shared.modules import MODULE_NAMES, split_unit
from shared.runtime.connection import TextRedis
from shared.runtime.publish import publish
from shared.runtime.state import finish, read_state

log = logging.getLogger(__name__)


def _int(v: str) -> None:
    int(v)


def _timeout(v: str) -> None:
    # RQ's parse_timeout: seconds, or a number with a unit (d, h, m, s).
    if not v.lstrip("-").isdigit() and not (v[:-1].isdigit() and v[-1:].lower() in "dhms"):
        raise ValueError("not a number of seconds")


def _status(v: str) -> None:
    JobStatus(v)


def _json_list(v: str) -> None:
    if not isinstance(json.loads(v), list):
        raise ValueError("not a JSON list")


def _flag(v: str) -> None:
    if v not in ("0", "1"):
        raise ValueError("not 0 or 1")


_DATES = ("created_at", "enqueued_at", "started_at", "ended_at", "last_heartbeat")
_INTS = (
    "result_ttl",
    "failure_ttl",
    "ttl",
    "success_callback_timeout",
    "failure_callback_timeout",
    "stopped_callback_timeout",
    "number_of_retries",
    "retries_left",
    "repeats_left",
)
CHECKS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(_DATES, str_to_date),
    **dict.fromkeys(_INTS, _int),
    "timeout": _timeout,
    "status": _status,
    "dependency_ids": _json_list,
    "retry_intervals": _json_list,
    "repeat_intervals": _json_list,
    "allow_dependency_failures": _flag,
    "enqueue_at_front": _flag,
    "enqueue_at_front_on_retry": _flag,
}


def _text(v: Any) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def malformed(raw: Mapping[Any, Any]) -> str:
    """Why RQ could not read this job hash ("" when it can): the first bad field, named."""
    fields = {_text(k): _text(v) for k, v in raw.items()}
    if "data" not in fields:
        return "it has no data field"
    for name, check in CHECKS.items():
        value = fields.get(name)
        if not value:
            continue  # RQ skips empty fields (except status, where "" means created)
        try:
            check(value)
        except (ValueError, TypeError, KeyError) as exc:
            return f"{name}={value[:40]!r} is not valid ({exc})"
    return ""


def module_of(raw: Mapping[Any, Any]) -> str:
    origin = _text(raw.get(b"origin", raw.get("origin", "")))
    # The queue of a unit: ``autobang:<module>`` or ``autobang:<module>@<device>``.
    unit = origin.removeprefix(keys.queue_name(""))
    return unit if origin != unit and split_unit(unit)[0] in MODULE_NAMES else ""


def fail_malformed(r: TextRedis, job_id: str, raw: Mapping[Any, Any], why: str) -> str:
    """Remove the unreadable job and say why where the dashboard looks: the module's state
    (when it names the job) and its log."""
    reason = f"refused job {job_id}: its RQ job hash is malformed ({why})"
    log.error("%s", reason)
    module = module_of(raw)
    if module:
        state = read_state(r, module)
        if state.get("job_id") == job_id:
            finish(r, module, job_id, TaskStatus.failed, reason)
        publish(r, module, EventType.log, {"level": "error", "message": reason, "job_id": job_id})
    r.delete(f"rq:job:{job_id}")  # last: once it is gone, the reason is there to read
    return reason
