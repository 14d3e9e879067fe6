"""Module configs: the desired config lives in Redis with a version number; every change is
mirrored atomically to ``<data_dir>/config/<module>.json`` and restored from there when
Redis lost it (a fresh redis-server, a new volume). A pub/sub message wakes the running
task, which re-reads the config at its next checkpoint and acknowledges the version."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from shared import keys
from shared.atomic_write import write_atomic
from shared.config import ModuleConfig
from shared.event_schema import EventType
from shared.modules import MODULES, get_module
from shared.runtime.connection import TextRedis, eval_lua
from shared.runtime.lenient import as_int, junk
from shared.runtime.publish import publish

log = logging.getLogger(__name__)

# SET config, bump the version, return it: one step so versions and contents agree.
_PUT = """
redis.call('SET', KEYS[1], ARGV[1])
local old = redis.call('GET', KEYS[2])
if old and not tonumber(old) then redis.call('SET', KEYS[2], ARGV[2]) end  -- junk: start over
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', KEYS[3], 'config')
return v
"""


class ConfigFileError(Exception):
    """A config file under the data dir cannot be read (corrupt JSON, wrong shape)."""


def config_path(data_dir: Path, module: str) -> Path:
    return data_dir / "config" / f"{module}.json"


def read_mirror(data_dir: Path, module: str) -> tuple[int, dict[str, Any]] | None:
    path = config_path(data_dir, module)
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        version, config = int(doc["version"]), doc["config"]
        if not isinstance(config, dict):
            raise TypeError("'config' is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigFileError(f"config file {path} is unreadable: {exc}") from exc
    return version, config


def write_mirror(data_dir: Path, module: str, version: int, config: BaseModel) -> None:
    doc = {"module": module, "version": version, "config": config.model_dump(mode="json")}
    write_atomic(config_path(data_dir, module), json.dumps(doc, indent=2).encode())


def parse_config(module: str, raw: dict[str, Any]) -> ModuleConfig:
    return get_module(module).config_model.model_validate(raw)


class ConfigStore:
    def __init__(self, r: TextRedis, data_dir: Path) -> None:
        self.r = r
        self.data_dir = data_dir

    def get(self, module: str) -> tuple[int, ModuleConfig]:
        """The stored config (defaults when none saved yet) and its version."""
        model = get_module(module).config_model
        raw, text = self.r.mget(keys.config_key(module), keys.config_version(module))
        version = as_int(text, keys.config_version(module))
        if raw is None:
            return version, model()
        try:
            return version, model.model_validate_json(raw)
        except ValidationError as exc:
            # Saved by an older model (or junk): keep running on defaults and say why.
            junk(keys.config_key(module), raw[:100], f" (not a valid config: {exc.error_count()} errors)")
            return version, model()

    def put(self, module: str, config: ModuleConfig) -> int:
        version = int(
            eval_lua(
                self.r,
                _PUT,
                [keys.config_key(module), keys.config_version(module), keys.control_channel(module)],
                [config.model_dump_json(), str(self._file_version(module))],
            )
        )
        write_mirror(self.data_dir, module, version, config)
        return version

    def _keep_aside(self, module: str, why: str, redis_version: int) -> None:
        path = config_path(self.data_dir, module)
        kept = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(path, kept)
        except FileNotFoundError:
            return  # another process (the gateway, a worker) kept it aside already
        using = (
            f"keeping the config in Redis (version {redis_version})"
            if redis_version >= 0
            else "using defaults"
        )
        message = f"{why}: {using}; the file is kept as {kept.name} (fix it and save the config again)"
        log.error("%s", message)
        publish(self.r, module, EventType.log, {"level": "warning", "message": message})

    def _file_version(self, module: str) -> int:
        """Where a junk Redis version starts over: the file mirror's (versions never go
        back for a task comparing them), 0 without one."""
        try:
            mirror = read_mirror(self.data_dir, module)
        except ConfigFileError:
            return 0
        return mirror[0] if mirror else 0

    def merged(self, module: str, partial: dict[str, Any]) -> ModuleConfig:
        """Validate ``partial`` over the stored config (raises ``ValidationError``)."""
        _, current = self.get(module)
        data = current.model_dump(mode="json")
        data.update(partial)
        return parse_config(module, data)

    def restore(self) -> None:
        """Bring Redis and the file mirror together after a restart: the newer version wins.
        A file that cannot be read is kept aside (never overwritten by the next save), and
        the module's log says so where the dashboard shows it."""
        for spec in MODULES:
            m = spec.name
            raw, version = self.r.mget(keys.config_key(m), keys.config_version(m))
            redis_version = as_int(version, keys.config_version(m)) if raw is not None else -1
            try:
                mirror = read_mirror(self.data_dir, m)
            except ConfigFileError as exc:
                self._keep_aside(m, str(exc), redis_version)
                mirror = None
            if mirror is not None and mirror[0] > redis_version:
                try:
                    config = parse_config(m, mirror[1])
                except ValidationError as exc:
                    why = (
                        f"config file {config_path(self.data_dir, m)} is invalid ({exc.error_count()} errors)"
                    )
                    self._keep_aside(m, why, redis_version)
                    continue
                self.r.mset({keys.config_key(m): config.model_dump_json(), keys.config_version(m): mirror[0]})
            elif raw is not None and mirror is None:
                _, config = self.get(m)
                write_mirror(self.data_dir, m, redis_version, config)
