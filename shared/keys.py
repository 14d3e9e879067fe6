"""Every Redis key and channel name, in one place, under one prefix (like RQ's defaults)."""

from __future__ import annotations

PREFIX = "autobang"


def queue_name(module: str) -> str:
    """RQ queue name of a module (its Redis key is RQ's own: ``rq.Queue(name).key``)."""
    return f"{PREFIX}:{module}"


def events_stream(module: str) -> str:
    """Per-module Redis Stream of events (log, state, progress, prompt, image)."""
    return f"{PREFIX}:events:{module}"


def module_state(module: str) -> str:
    """Hash: the truth about a module's current task (status, task, job id, error...)."""
    return f"{PREFIX}:state:{module}"


def module_lease(module: str) -> str:
    """String with TTL: the job id holding the module (one task per module)."""
    return f"{PREFIX}:lease:{module}"


def device_lease(device: str = "") -> str:
    """String with TTL: the holder (``unit:task:job``) of one device; ``device`` is its name
    in the device list, "" for the first (the key the single-device product used). The name,
    not the ADB serial: a serial such as ``127.0.0.1:16384`` is only unique on one machine,
    and a worker on another machine reaches its emulator at an address of its own."""
    return f"{PREFIX}:lease:device:{device}" if device else f"{PREFIX}:lease:device"


DEVICE_LEASE = device_lease()


def config_key(module: str) -> str:
    """String: the module's desired config as JSON (mirrored to the data dir)."""
    return f"{PREFIX}:config:{module}"


def config_version(module: str) -> str:
    """Integer bumped on every config change; tasks acknowledge the version they applied."""
    return f"{PREFIX}:config-version:{module}"


def control_channel(module: str) -> str:
    """Pub/sub channel that only wakes a running task (stop, config, reply)."""
    return f"{PREFIX}:control:{module}"


def stop_flag(module: str) -> str:
    """String: set to the job id a stop was asked for."""
    return f"{PREFIX}:stop:{module}"


def reply_list(module: str) -> str:
    """List: replies to the module's open prompt."""
    return f"{PREFIX}:reply:{module}"


def worker_heartbeat(module: str) -> str:
    """String with TTL: refreshed by the module's worker (health)."""
    return f"{PREFIX}:heartbeat:{module}"


ALLOWED_TASKS = f"{PREFIX}:allowed-tasks"
"""Set of ``module:task`` names the injection script accepts."""


def image_key(module: str, kind: str) -> str:
    """String: the latest PNG a module published under ``kind`` (events carry a URL, not
    the bytes, so streams stay small)."""
    return f"{PREFIX}:image:{module}:{kind}"


def config_fields(module: str) -> str:
    """Hash: field name -> JSON rule (type, enum, bounds) the injection script checks."""
    return f"{PREFIX}:config-fields:{module}"


DEVICE_TASKS = f"{PREFIX}:device-tasks"
"""Set of ``module:task`` names that take the device lease (read by the injection script)."""

STREAM_MAXLEN = f"{PREFIX}:stream-maxlen"
"""String: the MAXLEN ~ the injection script uses (written with the registry)."""

INJECT_SEQ = f"{PREFIX}:inject-seq"
"""Counter for job ids the injection script makes up."""


def latest_images(module: str) -> str:
    """Hash: kind -> JSON of the latest image event's data plus its ``id`` and ``ts`` (the
    snapshot's ``images``; outlives the event when the stream trims it)."""
    return f"{PREFIX}:images:{module}"


def event_producers(module: str) -> str:
    """Hash: producer id -> sequence number of its last batch appended to the module's
    stream (a batch sent again after a lost reply is not appended twice)."""
    return f"{PREFIX}:event-producers:{module}"
