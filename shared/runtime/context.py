"""``RedisTaskContext``: the ``TaskContext`` a task body gets inside a worker's job."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import ValidationError

from shared import image_header, keys
from shared.config import ModuleConfig
from shared.event_schema import EventType, PromptData, TaskStatus
from shared.live_state import LiveState, state_update
from shared.modules import split_unit
from shared.runtime import leases
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TRANSIENT, TextRedis
from shared.runtime.images import publish_image
from shared.runtime.lenient import as_int, as_object
from shared.runtime.publish import EventBatcher, publish
from shared.runtime.state import finish, set_fields
from shared.task_context import ANSWERS, TIMED_OUT, LogLevel, Reply, TaskStopped

if TYPE_CHECKING:
    from shared.device import Device

log = logging.getLogger(__name__)

FULL_CHECK_S = 1.0  # re-read stop flag and config version even without a wake message
REPLY_POLL_S = 0.25


class LeaseLost(RuntimeError):
    """Another job took this module's lease: this one was given up for dead."""


def live_fields(model: type[ModuleConfig]) -> set[str]:
    """Fields a running task picks up (``x-live``); the others wait for the next start."""
    out = set()
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if not isinstance(extra, dict) or extra.get("x-live", True):
            out.add(name)
    return out


def png_size(png: bytes) -> tuple[int, int]:
    size = image_header.png_size(png)
    if size is None:
        raise ValueError("image() needs PNG bytes")
    return size


C = TypeVar("C", bound=ModuleConfig)


class RedisTaskContext(Generic[C]):
    def __init__(
        self,
        r: TextRedis,
        *,
        module: str,
        task: str,
        job_id: str,
        data_dir: Path,
        config: C,
        config_version: int,
        device_holder: str = "",
    ) -> None:
        self.module = module
        self.task = task
        self.job_id = job_id
        self.data_dir = data_dir
        self._r = r
        self._store = ConfigStore(r, data_dir)
        # A unit (``scriptor@mumu2``) runs with its module's one config and state model, on its own device.
        self._config_module, self._device_name = split_unit(module)
        self._config = config
        self._version = config_version
        self._live = live_fields(type(config))
        self._fields: dict[str, Any] = {}
        self._stop = False
        self._last_full = 0.0
        self._device = device_holder
        self._game: Device | None = None  # built on first use of ``device``
        self._game_lock = threading.Lock()
        self._lost = threading.Event()
        self._done = threading.Event()
        self._events = EventBatcher(r, module, note_fields={"task": task, "job_id": job_id})
        self._parent = os.getppid()  # the worker that forked this work-horse
        self._pubsub = r.pubsub(ignore_subscribe_messages=True)
        # Its own channel (stop, reply) and its module's, where config changes are announced.
        self._pubsub.subscribe(*{keys.control_channel(module), keys.control_channel(self._config_module)})
        self._beat = threading.Thread(target=self._heartbeat, name=f"lease-{module}", daemon=True)
        self._beat.start()

    # -- reporting ---------------------------------------------------------------------
    @property
    def config(self) -> C:
        return self._config

    def log(self, message: str, level: LogLevel = "info", *, details: str | None = None) -> None:
        data = {"level": level, "message": message, "task": self.task, "job_id": self.job_id}
        if details:
            data["details"] = details
        self._events.add(EventType.log, data)

    def flush(self) -> None:
        """Send queued events now (before writing state, and when the job ends)."""
        self._events.flush()

    def progress(
        self, done: float, total: float | None = None, *, message: str = "", **metrics: float | str
    ) -> None:
        data = {
            "task": self.task,
            "job_id": self.job_id,
            "done": done,
            "total": total,
            "message": message,
            "metrics": metrics,
        }
        self.flush()
        self._r.hset(keys.module_state(self.module), "progress", json.dumps(data))
        publish(self._r, self.module, EventType.progress, data)

    def state(self, live: LiveState | None = None, /, **fields: Any) -> None:
        self._fields.update(state_update(self._config_module, live, fields))
        self.flush()
        set_fields(self._r, self.module, self.job_id, self._fields)

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        width, height = png_size(png)
        self.flush()
        self._r.set(keys.image_key(self.module, kind), png)
        url = f"/api/{self.module}/images/{kind}?v={time.time_ns()}"
        publish_image(
            self._r,
            self.module,
            {"kind": kind, "url": url, "width": width, "height": height, "meta": dict(meta or {})},
        )

    @property
    def device(self) -> Device:
        if not self._device:
            raise RuntimeError(
                f"{self.module}:{self.task} has no device: only tasks with uses_device hold the device lease"
            )
        with self._game_lock:
            if self._game is None:
                from shared.config.devices import DeviceListError, device_settings
                from shared.device.errors import DeviceError
                from shared.device.factory import open_device
                from shared.settings import get_settings

                try:
                    settings = device_settings(get_settings(), self._device_name)
                except (KeyError, DeviceListError) as exc:
                    raise DeviceError(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)) from exc
                self._game = open_device(settings)
                info = self._game.info
                self.log(f"device {info.serial} ({info.spec}): {info.detail}")
            return self._game

    # -- control -----------------------------------------------------------------------
    def _woken(self, timeout: float = 0.0) -> bool:
        """Drain wake messages; True when any arrived (waits up to ``timeout`` for one)."""
        got = False
        try:
            msg = self._pubsub.get_message(timeout=timeout)
            while msg is not None:
                got = True
                msg = self._pubsub.get_message(timeout=0.0)
        except TRANSIENT:
            # Redis is away: wake-ups may be lost, so re-read the keys (that command waits
            # for Redis to come back); the subscription is renewed on reconnect.
            time.sleep(min(timeout, FULL_CHECK_S))
            return True
        return got

    def _poll(self, force: bool = False) -> None:
        now = time.monotonic()
        if not (self._woken() or force or now - self._last_full >= FULL_CHECK_S):
            return
        self._last_full = now
        if self._lost.is_set():
            raise LeaseLost(f"module {self.module} was taken over: this job was given up for dead")
        version_key = keys.config_version(self._config_module)
        stop, version = self._r.mget(keys.stop_flag(self.module), version_key)
        if stop == self.job_id:
            self._stop = True
        if version is not None and as_int(version, version_key, -1) != self._version:
            self._apply_config()

    def _apply_config(self) -> None:
        version, stored = self._store.get(self._config_module)
        # Acknowledged once: the next polls compare against this version, not the start's.
        self._version = version
        current = self._config.model_dump()
        incoming = stored.model_dump()
        applied = sorted(k for k in self._live if incoming[k] != current[k])
        deferred = sorted(k for k in incoming if k not in self._live and incoming[k] != current[k])
        if applied:
            merged = {**current, **{k: incoming[k] for k in applied}}
            try:
                self._config = type(self._config).model_validate(merged)
            except ValidationError as exc:
                # Valid as a whole config, but not with this run's non-live values: keep
                # running on the old one and say so rather than failing the task.
                self.log(f"config v{version} not applied to this run: {exc.errors()[0]['msg']}", "warning")
                deferred, applied = sorted({*deferred, *applied}), []
        self.flush()
        publish(
            self._r,
            self.module,
            EventType.config,
            {
                "version": version,
                "task": self.task,
                "job_id": self.job_id,
                "applied": applied,
                "deferred": deferred,
            },
        )
        note = f"config v{version} applied" + (f": {', '.join(applied)}" if applied else " (no live change)")
        if deferred:
            note += f"; next start: {', '.join(deferred)}"
        self.log(note)

    def checkpoint(self) -> None:
        self._poll()
        if self._stop:
            raise TaskStopped(f"{self.module}:{self.task} stopped on request")

    def should_stop(self) -> bool:
        self._poll()
        return self._stop

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + max(0.0, seconds)
        self.checkpoint()
        while (left := deadline - time.monotonic()) > 0:
            if self._woken(timeout=min(left, FULL_CHECK_S)):
                self._poll(force=True)
            self.checkpoint()

    def ask(
        self,
        prompt: str,
        options: Sequence[str] = ANSWERS,
        *,
        text: str | None = None,
        choices: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> Reply:
        pid = uuid.uuid4().hex[:12]
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        data = PromptData(
            prompt_id=pid,
            task=self.task,
            job_id=self.job_id,
            prompt=prompt,
            options=list(options),
            text_hint=text,
            choices=list(choices),
        )
        self._r.delete(keys.reply_list(self.module))
        self.flush()
        self._r.hset(keys.module_state(self.module), "prompt", data.model_dump_json())
        publish(self._r, self.module, EventType.prompt, data.model_dump(mode="json"))
        try:
            while True:
                self.checkpoint()
                if deadline is not None and time.monotonic() >= deadline:
                    closed = data.model_copy(update={"closed": True, "answer": TIMED_OUT})
                    publish(self._r, self.module, EventType.prompt, closed.model_dump(mode="json"))
                    return Reply(answer=TIMED_OUT)
                got = self._r.blpop([keys.reply_list(self.module)], timeout=REPLY_POLL_S)
                if got is None:
                    continue
                answer = as_object(got[1], keys.reply_list(self.module))
                if (
                    answer is None
                    or answer.get("prompt_id") != pid
                    or answer.get("answer") not in data.options
                ):
                    continue  # a reply to an older prompt
                closed = data.model_copy(update={"closed": True, "answer": answer["answer"]})
                publish(self._r, self.module, EventType.prompt, closed.model_dump(mode="json"))
                return Reply(answer=str(answer["answer"]), text=answer.get("text") or None)
        finally:
            self._r.hset(keys.module_state(self.module), "prompt", "")

    # -- lifetime ----------------------------------------------------------------------
    def _heartbeat(self) -> None:
        while not self._done.wait(leases.LEASE_RENEW_S):
            if os.getppid() != self._parent:
                self._end_orphaned()
            try:
                state = keys.module_state(self.module)
                got = [
                    leases.renew_job(self._r, keys.module_lease(self.module), self.job_id, state, self.job_id)
                ]
                if self._device:
                    got.append(
                        leases.renew_job(
                            self._r, keys.device_lease(self._device_name), self._device, state, self.job_id
                        )
                    )
                if 0 in got:
                    self._lost.set()
                elif 2 in got:
                    log.warning("lease of %s had expired (a Redis stall?): taken back", self.job_id)
            except Exception:  # Redis blip: the next beat retries; the TTL covers a few misses
                log.exception("lease renewal failed")

    def _end_orphaned(self) -> None:
        """The worker died and this work-horse was re-parented: nobody would record the
        outcome or could stop it, and its lease renewals would keep the module busy. Mark
        the job failed, free the module and end the process."""
        why = f"the worker running {self.task} died; its work-horse ended the task"
        try:
            self.log(why, "error")
            self._events.close()
            finish(self._r, self.module, self.job_id, TaskStatus.failed, why, self._device)
        except Exception:
            log.exception("recording the orphaned job failed")
        finally:
            os._exit(70)

    def close(self) -> None:
        self._done.set()
        with self._game_lock:
            game, self._game = self._game, None
        if game is not None:
            try:
                game.close()
            except Exception:  # the task is over either way; the device may be gone already
                log.warning("closing the device", exc_info=True)
        self._events.close()
        try:
            self._pubsub.close()
        except Exception:
            log.debug("closing pubsub", exc_info=True)
