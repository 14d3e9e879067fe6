"""Request and response models of the gateway API (the dashboard generates its TypeScript
types from the OpenAPI schema, so every route is typed)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.event_schema import ImageData, ProgressData, PromptData, StateData


class Health(BaseModel):
    ok: bool
    redis: bool
    workers: dict[str, bool] = Field(description="module -> a worker heartbeat was seen in the last 10 s")


class TaskInfo(BaseModel):
    name: str
    title: str
    uses_device: bool
    interactive: bool
    placeholder: bool


class ModuleState(StateData):
    """The module's state hash: status and task plus the open prompt and last progress."""

    prompt: PromptData | None = None
    progress: ProgressData | None = None
    last_id: str = Field("0-0", description="newest event id of the module's stream")


class LatestImage(ImageData):
    """The latest image a module published under its ``kind``, kept after the stream
    trimmed its event."""

    id: str = Field(description="id of the image event")
    ts: float = Field(description="when it was published (Unix seconds)")


class SnapshotModule(ModuleState):
    """A module in the /ws snapshot: its state plus the latest image of each kind."""

    images: dict[str, LatestImage] = Field(default_factory=dict, description="kind -> latest image")


class ModuleInfo(BaseModel):
    name: str
    title: str
    tasks: list[TaskInfo]
    state: ModuleState
    config_version: int
    config_schema: dict[str, Any] = Field(description="JSON Schema of the config, with x-* widget keys")


class ConfigDoc(BaseModel):
    module: str
    version: int
    config: dict[str, Any]


class StartRequest(BaseModel):
    config: dict[str, Any] = Field(default_factory=dict, description="overrides for this run only")


class StartResponse(BaseModel):
    module: str
    task: str
    job_id: str
    status: Literal["queued"] = "queued"


class StopResponse(BaseModel):
    module: str
    job_id: str | None
    status: str
    stopping: bool = Field(description="false when nothing was running")


class ReplyRequest(BaseModel):
    answer: Literal["Yes", "No", "Drop", "Stop"]
    text: str | None = Field(None, max_length=1000)
    prompt_id: str | None = Field(None, description="the prompt answered; refused if it is no longer open")


class ReplyResponse(BaseModel):
    module: str
    prompt_id: str
    answer: str


class SongCheckResponse(BaseModel):
    song_id: int
    ok: bool
    message: str


class ColorResponse(BaseModel):
    x: int
    y: int
    bgr: tuple[int, int, int]
    hsv: tuple[int, int, int] = Field(description="OpenCV ranges: H 0-179, S 0-255, V 0-255")
    frame_url: str


class ErrorDetail(BaseModel):
    detail: str
