"""Publishes the module registry into Redis for the injection script: the allow-list of
``module:task`` names, the device tasks and per-field config rules."""

from __future__ import annotations

import json
from typing import Any

from shared import keys
from shared.modules import MODULES
from shared.runtime.connection import TextRedis
from shared.settings import get_settings

ENTRY_POINT = "shared.runtime.job.run_task"
"""The only callable a worker runs (jobs naming anything else fail)."""


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        target = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    if len(prop.get("allOf", [])) == 1:
        return {**_resolve(prop["allOf"][0], defs), **{k: v for k, v in prop.items() if k != "allOf"}}
    return prop


def field_rules(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-field rules from a JSON Schema: type, enum, bounds (what Lua can check cheaply)."""
    defs = schema.get("$defs", {})
    rules: dict[str, dict[str, Any]] = {}
    for name, raw in schema.get("properties", {}).items():
        prop = _resolve(raw, defs)
        rule: dict[str, Any] = {}
        if "anyOf" in prop:
            options = [_resolve(p, defs) for p in prop["anyOf"]]
            rule["nullable"] = any(o.get("type") == "null" for o in options)
            options = [o for o in options if o.get("type") != "null"]
            if len(options) == 1:
                prop = {**options[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
        for key in ("type", "enum", "minimum", "maximum"):
            if key in prop:
                rule[key] = prop[key]
        rules[name] = rule
    return rules


def publish_registry(r: TextRedis) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.delete(keys.ALLOWED_TASKS, keys.DEVICE_TASKS)
    for spec in MODULES:
        for task in spec.tasks:
            pipe.sadd(keys.ALLOWED_TASKS, f"{spec.name}:{task.name}")
            if task.uses_device:
                pipe.sadd(keys.DEVICE_TASKS, f"{spec.name}:{task.name}")
        rules = field_rules(spec.config_model.model_json_schema())
        pipe.delete(keys.config_fields(spec.name))
        if rules:
            pipe.hset(keys.config_fields(spec.name), mapping={k: json.dumps(v) for k, v in rules.items()})
    pipe.set(keys.STREAM_MAXLEN, get_settings().stream_maxlen)
    pipe.execute()
