"""The ``/ws`` messages as models, so the OpenAPI schema (and the dashboard's generated
types) describe them too: WebSocket messages are otherwise outside OpenAPI. The event
payloads are ``shared.event_schema``'s; the tests validate every message they receive."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic.json_schema import models_json_schema

from services.gateway.models import SnapshotModule
from shared.event_schema import ConfigAckData, ImageData, LogData, ProgressData, PromptData, StateData
from shared.live_state import LiveStates


class ConfigEventData(ConfigAckData):
    applied: list[str] = Field(default_factory=list, description="live fields now in effect")
    deferred: list[str] = Field(default_factory=list, description="fields that wait for the next start")


class _Event(BaseModel):
    id: str = Field(description="Redis Stream id; pass it back in since=<module>:<id>")
    module: str
    ts: float


class LogEvent(_Event):
    type: Literal["log"]
    data: LogData


class StateEvent(_Event):
    type: Literal["state"]
    data: StateData


class ProgressEvent(_Event):
    type: Literal["progress"]
    data: ProgressData


class PromptEvent(_Event):
    type: Literal["prompt"]
    data: PromptData


class ImageEvent(_Event):
    type: Literal["image"]
    data: ImageData


class ConfigEvent(_Event):
    type: Literal["config"]
    data: ConfigEventData


class SnapshotMessage(BaseModel):
    type: Literal["snapshot"]
    modules: dict[str, SnapshotModule]


class TrimmedData(BaseModel):
    oldest: str | None = Field(description="oldest id the stream still holds")
    since: str = Field(description="the id the client asked to resume after")


class TrimmedMessage(BaseModel):
    type: Literal["trimmed"]
    module: str
    data: TrimmedData


StreamEvent = Annotated[
    LogEvent | StateEvent | ProgressEvent | PromptEvent | ImageEvent | ConfigEvent,
    Field(discriminator="type"),
]
WsMessage = Annotated[
    LogEvent
    | StateEvent
    | ProgressEvent
    | PromptEvent
    | ImageEvent
    | ConfigEvent
    | SnapshotMessage
    | TrimmedMessage,
    Field(discriminator="type"),
]
ws_message = TypeAdapter(WsMessage)

WIRE_MODELS: tuple[type[BaseModel], ...] = (
    LogEvent,
    StateEvent,
    ProgressEvent,
    PromptEvent,
    ImageEvent,
    ConfigEvent,
    SnapshotMessage,
    TrimmedMessage,
)


def _drop_null_defaults(node: Any) -> Any:
    """``"default": null`` removed, as FastAPI's own components come out (it dumps the
    OpenAPI document with ``exclude_none``): such a field stays optional in generated types."""
    if isinstance(node, dict):
        return {k: _drop_null_defaults(v) for k, v in node.items() if not (k == "default" and v is None)}
    if isinstance(node, list):
        return [_drop_null_defaults(v) for v in node]
    return node


def add_wire_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the /ws message models (and ``WsMessage``, their union) into the OpenAPI
    components; ``?batch=1`` frames are arrays of the event members. ``LiveStates`` (each
    module's state fields) goes along: the dashboard reads a module's fields by its model."""
    documented: tuple[type[BaseModel], ...] = (*WIRE_MODELS, LiveStates)
    _, defs = models_json_schema(
        [(m, "validation") for m in documented], ref_template="#/components/schemas/{model}"
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, sub in defs.get("$defs", {}).items():
        components.setdefault(name, _drop_null_defaults(sub))
    refs = [{"$ref": f"#/components/schemas/{m.__name__}"} for m in WIRE_MODELS]
    components["WsMessage"] = {
        "oneOf": refs,
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                m.model_fields["type"].annotation.__args__[0]: f"#/components/schemas/{m.__name__}"  # type: ignore[union-attr]
                for m in WIRE_MODELS
            },
        },
        "description": "One /ws message (with ?batch=1, events arrive as arrays of these).",
    }
    return schema
