"""A worker started on another machine (``autobang worker scriptor --redis URL --device
adb://HOST:PORT``): before it serves, check that the Redis URL reaches the product's Redis
(password included) and that the device answers, and refuse in words that say what to fix.
Then the worker is an ordinary RQ worker of the same Redis: RQ stays the engine."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis

from shared.device.errors import DeviceError
from shared.device.spec import parse_spec
from shared.modules import DEVICE_NAME_RE, DEVICE_NAME_RULE, get_module
from shared.runtime.connection import redis_url
from shared.settings import Settings

SCHEMES = ("redis", "rediss")
CHECK_TIMEOUT_S = 5.0


class Refused(Exception):
    """The worker cannot serve: the message says why and what to do."""


def check_redis(url: str) -> str:
    """``url`` (with the password file's password when it names none) answers PING; the
    address checked. ``Refused`` for a malformed URL, a refused password, no answer."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise Refused(
            f"--redis {url!r} is not a Redis URL: expected redis://[:PASSWORD@]HOST:PORT[/DB] "
            "(the main machine's address; the password from its <data-dir>/redis/password)"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise Refused(f"--redis {url!r}: the port is not a number in 1..65535") from exc
    where = f"{parts.hostname}:{port or 6379}"
    full = redis_url(url)  # with the password file's password when the URL has none
    client = redis.Redis.from_url(
        full, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        text = str(exc)
        if not urlsplit(full).password:
            raise Refused(
                f"the Redis at {where} needs a password: put it in the URL "
                f"(redis://:PASSWORD@{where}/0) or pass --redis-password-file; on the main machine "
                "it is in <data-dir>/redis/password (compose: the redis-password secret)"
            ) from exc
        raise Refused(f"the Redis at {where} refused the password ({text}): check it") from exc
    except redis.ResponseError as exc:  # e.g. a password given to a Redis without one
        raise Refused(f"the Redis at {where} refused the connection: {exc}") from exc
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise Refused(
            f"no Redis answers at {where} ({exc}): is the main machine's Redis reachable from here? "
            "The embedded one listens on loopback only: run the product with AUTOBANG_REDIS_URL "
            "pointing at a Redis both machines reach (docs/platform.md, workers on other machines)"
        ) from exc
    finally:
        client.close()
    return where


def check_device_name(module: str, name: str | None) -> None:
    """``--device-name`` is a device name (``module@NAME`` is the unit it serves) for a module
    with device tasks; ``Refused`` otherwise."""
    if not name:
        return
    if not DEVICE_NAME_RE.match(name):
        raise Refused(f"--device-name {name!r}: a device name is {DEVICE_NAME_RULE}")
    if not any(t.uses_device for t in get_module(module).tasks):
        raise Refused(f"--device-name: {module} has no task that uses the device; leave it out")


def check_device(module: str, settings: Settings) -> str:
    """The device ``settings.device`` names answers (opened and closed again); its words.
    ``Refused`` for a module without device tasks, a spec that is not an ADB server, or a
    device that does not answer (with the device layer's reason)."""
    if not any(t.uses_device for t in get_module(module).tasks):
        raise Refused(f"--device: {module} has no task that uses the device; leave --device out")
    try:
        spec = parse_spec(settings.device)
    except ValueError as exc:
        raise Refused(f"--device {settings.device!r}: {exc}") from exc
    if spec.kind == "sim":
        raise Refused(
            f"--device {settings.device!r}: a worker on another machine serves an emulator or a "
            "simulator it reaches over ADB: give adb://HOST:PORT (autobang simulator --port PORT)"
        )
    from shared.device.factory import open_device

    try:
        device = open_device(settings)
    except DeviceError as exc:
        raise Refused(f"--device {settings.device}: {exc}") from exc
    try:
        info = device.info
        return f"{info.serial} ({info.emulator or info.detail})"
    finally:
        device.close()
