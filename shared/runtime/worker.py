"""The RQ worker of one module: unique name, JSON serializer, short maintenance interval
and worker TTL (a dead worker's job is noticed quickly), a heartbeat key for health, a
reconciler pass for its module, and an allow-list of the one job entry point."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Mapping
from types import FrameType
from typing import Any

from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from shared import keys
from shared.config.devices import DeviceListError, load_devices
from shared.event_schema import EventType, TaskStatus
from shared.modules import get_module, unit_name
from shared.runtime import job_hash
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TextRedis, connect, connect_bytes
from shared.runtime.control import reconcile, stop_module
from shared.runtime.job import load_body
from shared.runtime.publish import publish
from shared.runtime.registry import ENTRY_POINT, publish_registry
from shared.runtime.state import device_holder, finish, read_state
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

HEARTBEAT_S = 2.0
HEARTBEAT_TTL_S = 10
WORKER_TTL_S = 20  # RQ's own liveness key; RQ heartbeats every max(1, ttl - 15) s
MAINTENANCE_S = 15  # RQ cleans registries of dead workers this often


# RQ job-hash fields that make a worker call something, contact a URL or run a job again:
# the gateway and inject.lua never write them, so a job carrying one was written by hand.
FORBIDDEN_FIELDS = (
    "success_callback_name",
    "failure_callback_name",
    "stopped_callback_name",
    "webhooks",
    "dependency_ids",
    "dependency_id",
    "retries_left",
    "retry_intervals",
    "repeats_left",
    "repeat_intervals",
)


def forbidden_fields(raw: Mapping[Any, Any]) -> list[str]:
    """The forbidden fields set (non-empty) in a raw job hash."""
    named = {(k.decode() if isinstance(k, bytes) else str(k)): v for k, v in raw.items()}
    return [f for f in FORBIDDEN_FIELDS if named.get(f)]


class AllowListedJob(Job):
    """Runs only the runtime's entry point and honours none of RQ's callback, webhook,
    dependency, retry or repeat fields: write access to Redis must not mean running
    arbitrary callables in the worker or sending requests anywhere."""

    refused_fields: list[str]

    def restore(self, raw_data: Any) -> Any:
        why = job_hash.malformed(raw_data)
        if not why:
            try:
                out = super().restore(raw_data)
            except NoSuchJobError:
                raise
            except Exception as exc:  # a field the checks do not know yet: still never fatal
                why = f"{type(exc).__name__}: {exc}"
        if why:
            reason = job_hash.fail_malformed(connect(), self.id, raw_data, why)
            # RQ's dequeue skips a job it cannot find: the worker goes on to the next one.
            raise NoSuchJobError(reason)
        self.refused_fields = forbidden_fields(raw_data)
        # Cleared whatever the hash says, so no code path of RQ can honour them.
        self._success_callback_name = self._failure_callback_name = self._stopped_callback_name = None
        self.webhooks = []
        self._dependency_ids = []
        self.retries_left = self.retry_intervals = None
        self.repeats_left = self.repeat_intervals = None
        return out

    def _execute(self) -> Any:
        if self.func_name != ENTRY_POINT:
            raise PermissionError(f"refused job function {self.func_name!r}: only {ENTRY_POINT} may run")
        refused = getattr(self, "refused_fields", [])
        if refused:
            raise PermissionError(
                f"refused job {self.id}: it sets {', '.join(refused)}, which only hand-written jobs do"
            )
        return super()._execute()


class ModuleWorker(Worker):
    """RQ's worker, plus: a shutdown signal first asks the running task to stop
    cooperatively, so RQ's warm shutdown (wait for the job) ends in a clean "stopped"
    instead of waiting forever for a task that runs until told otherwise. A second signal
    is still RQ's cold shutdown (kills the work-horse)."""

    autobang_units: tuple[str, ...] = ()  # the module's units this worker serves

    def unit_of(self, r: TextRedis, job_id: str) -> str:
        """The served unit whose state names ``job_id`` ("" when none does)."""
        return next((u for u in self.autobang_units if read_state(r, u).get("job_id") == job_id), "")

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        try:
            job_id = self.get_current_job_id()
            r = connect(ride_out_s=2.0)  # a signal handler: do not wait a minute for Redis
            if job_id and (unit := self.unit_of(r, job_id)):
                stop_module(r, unit)
        except Exception:
            log.exception("could not ask the running task to stop")
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        """RQ saw the work-horse end without finishing the job: record it failed now, in
        words that say what happened (not "the worker died" when the lease runs out)."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]
        try:
            r = connect(ride_out_s=2.0)
            unit = self.unit_of(r, job.id)
            if not unit:
                return
            task = read_state(r, unit).get("task", "")
            why = f"the process running {task} ended unexpectedly ({horse_end(ret_val)}); the worker is fine"
            holder = device_holder(unit, task, job.id)
            if finish(r, unit, job.id, TaskStatus.failed, why, holder):
                data = {"level": "error", "message": why, "task": task, "job_id": job.id}
                publish(r, unit, EventType.log, data)
        except Exception:
            log.exception("recording the killed work-horse failed")


def horse_end(ret_val: int) -> str:
    """``waitpid``'s status in words."""
    if os.WIFSIGNALED(ret_val):
        sig = os.WTERMSIG(ret_val)
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else str(sig)
        hint = ": out of memory, or kill -9" if sig == signal.SIGKILL else ""
        return f"killed by signal {sig} ({name}{hint})"
    return f"exit status {os.WEXITSTATUS(ret_val) if os.WIFEXITED(ret_val) else ret_val}"


def worker_name(module: str) -> str:
    return f"{module}.{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}"


def _heartbeat(units: tuple[str, ...], name: str, stop: threading.Event) -> None:
    r, rb = connect(), connect_bytes()
    while not stop.wait(HEARTBEAT_S):
        for unit in units:
            try:
                r.set(keys.worker_heartbeat(unit), name, ex=HEARTBEAT_TTL_S)
                did = reconcile(r, rb, unit)
                if did:
                    log.warning("%s: reconciled a job (%s)", unit, did)
            except Exception:
                log.exception("worker heartbeat failed")


def served_units(module: str, settings: Settings) -> tuple[str, ...]:
    """The units a worker of ``module`` serves: with ``--device-name NAME`` that device's
    (``module@NAME``, a scriptor per device plays in parallel); else the module itself and,
    for the other device modules (add_song, add_img, workflow: one task at a time is
    enough), the unit of each other device of the list this machine reaches (not the
    ``remote`` ones: their target is another machine's address)."""
    if settings.device_name or module == "scriptor":
        return (unit_name(module, settings.device_name),)
    if not any(t.uses_device for t in get_module(module).tasks):
        return (module,)
    try:
        devices = load_devices(settings).devices[1:]
    except DeviceListError as exc:
        log.error("%s", exc)
        devices = []
    return (module, *(unit_name(module, d.name) for d in devices if d.kind != "remote"))


def run_worker(module: str, *, burst: bool = False) -> bool:
    """Serve ``module``'s queue, or with ``AUTOBANG_DEVICE_NAME`` (``--device-name``) the
    queue of its unit for that device (``module@NAME``): one worker per device, so each
    device runs one task at a time and devices run in parallel (RQ stays the engine)."""
    spec = get_module(module)
    settings = get_settings()
    if settings.device_name and not any(t.uses_device for t in spec.tasks):
        raise SystemExit(f"--device-name: {module} has no task that uses a device")
    units = served_units(module, settings)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    r, rb = connect(), connect_bytes()
    publish_registry(r)
    ConfigStore(r, settings.data_dir).restore()
    # Import the task bodies now, in the parent: every forked work-horse starts warm. (GPU
    # libraries must still initialise inside the job: CUDA does not survive fork.)
    for task in spec.tasks:
        try:
            load_body(task.entry)
        except RuntimeError as exc:
            log.warning("%s", exc)
    name = worker_name(units[0])
    queues = [
        Queue(keys.queue_name(u), connection=rb, serializer=JSONSerializer, job_class=AllowListedJob)
        for u in units
    ]
    worker = ModuleWorker(
        queues,
        connection=rb,
        name=name,
        serializer=JSONSerializer,
        job_class=AllowListedJob,
        worker_ttl=WORKER_TTL_S,
        maintenance_interval=MAINTENANCE_S,
    )
    worker.autobang_units = units
    for unit in units:
        r.set(keys.worker_heartbeat(unit), name, ex=HEARTBEAT_TTL_S)
        reconcile(r, rb, unit)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(units, name, stop), name="heartbeat", daemon=True)
    beat.start()
    try:
        # RQ logs every maintenance pass at INFO (every 15 s per worker): keep the launcher's
        # console readable unless debugging. Task logs go to the dashboard, not here.
        rq_level = "DEBUG" if settings.log_level.lower() == "debug" else "WARNING"
        return bool(worker.work(burst=burst, with_scheduler=False, logging_level=rq_level))
    finally:
        stop.set()
        for unit in units:
            if r.get(keys.worker_heartbeat(unit)) == name:
                r.delete(keys.worker_heartbeat(unit))
