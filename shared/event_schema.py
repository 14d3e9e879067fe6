"""The event schema: what workers publish to their module's Redis Stream and what the
gateway forwards over ``/ws``.

Wire form (one JSON object per WebSocket message)::

    {"id": "<stream id>", "module": "fetch", "type": "log", "ts": 1732579200.123, "data": {...}}

``id`` is the Redis Stream id; a client reconnecting with ``/ws?since=<module>:<id>,...``
gets exactly the events after those ids. Besides these, the gateway sends
``{"type": "snapshot", "modules": {...}}`` on connect and ``{"type": "trimmed", "module":
m, "data": {"oldest": id}}`` when events the client asked for were already trimmed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class EventType(StrEnum):
    log = "log"
    state = "state"
    progress = "progress"
    prompt = "prompt"
    image = "image"
    config = "config"  # acknowledgement: a running task applied config version N


class TaskStatus(StrEnum):
    idle = "idle"
    queued = "queued"
    running = "running"
    stopping = "stopping"
    finished = "finished"
    failed = "failed"
    stopped = "stopped"


ACTIVE_STATUSES = (TaskStatus.queued, TaskStatus.running, TaskStatus.stopping)


class LogData(BaseModel):
    level: Literal["debug", "info", "warning", "error"] = "info"
    message: str
    task: str | None = None
    job_id: str | None = None
    # Longer text behind the one-line message (a failed task's traceback): the dashboard
    # shows it behind a "details" toggle.
    details: str | None = None


class StateData(BaseModel):
    status: TaskStatus
    task: str | None = None
    job_id: str | None = None
    error: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class ProgressData(BaseModel):
    task: str
    job_id: str
    done: float
    total: float | None = None
    message: str = ""
    metrics: dict[str, float | str] = Field(default_factory=dict)


class PromptData(BaseModel):
    prompt_id: str
    task: str
    job_id: str
    prompt: str
    options: list[str]
    text_hint: str | None = None
    # Values the text answer may take (e.g. the 34 state names): the dashboard offers them
    # as a list to pick from; empty = free text.
    choices: list[str] = Field(default_factory=list)
    closed: bool = False  # true on the event that closes the prompt
    answer: str | None = None


class ImageData(BaseModel):
    kind: str
    url: str  # GET on the gateway returns the PNG
    width: int
    height: int
    meta: dict[str, Any] = Field(default_factory=dict)


class ConfigAckData(BaseModel):
    version: int
    task: str
    job_id: str
