"""What each module's running task shows besides its status: the ``fields`` of its state
(``ctx.state(...)``), one model per module. The gateway puts ``LiveStates`` into its
OpenAPI document, so the dashboard reads these fields through generated types.

Every field is optional: a task publishes what it knows when it knows it, and the state's
fields are the merge of its updates. Unknown keys are kept (a test body publishes its own),
but a known key with the wrong type is refused where it is published."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.config.workflow import WorkflowMode


class LiveState(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScriptorLive(LiveState):
    """The scriptor loop's cycle: the screen it sees and the play in progress."""

    device: str | None = Field(
        None, description="the serial of the device it plays on (history rows name it)"
    )
    screen: str | None = Field(None, description="the screen state the loop recognised")
    confidence: float | None = Field(None, description="the recogniser's confidence, 0-1")
    cycle: int | None = None
    time_in_state_s: float | None = Field(None, description="how long the loop has seen this screen")
    last_action: str | None = None
    song_id: int | None = None
    song: str | None = Field(None, description="the title (medley parts joined by ' / ')")
    difficulty: str | None = None
    in_play: bool | None = Field(None, description="the song fields are the play in progress, else the last")
    plays: int | None = None
    recommended_correction_time: int | None = Field(None, description="µs, from a calibration play")
    error_bundle: str | None = Field(None, description="relative to the data dir: scriptor/errors/<time>")
    offset_ms: float | None = Field(None, description="the device's touch offset the next play uses")
    offset_device: str | None = Field(
        None, description="the device it is kept for (shared/device_offsets.py)"
    )
    offset_source: str | None = Field(None, description="where the offset came from, in words")
    offset_moved_ms: float | None = Field(None, description="how far the last play moved it")


class SongRecognitionLive(LiveState):
    """Song recognition reports through progress and prompts; no fields of its own yet."""


class UIRecognitionLive(LiveState):
    labelled: int | None = None
    dropped: int | None = None
    left: int | None = Field(None, description="screenshots still to label")
    val_acc: float | None = Field(None, description="the trained model's validation accuracy")
    best_epoch: int | None = None


class FetchLive(LiveState):
    fetched: int | None = None
    missing: int | None = None
    failed: int | None = None
    # The SpecialChar report's headline numbers.
    titles: int | None = None
    changed: int | None = None
    collisions: int | None = None
    empty: int | None = None


class WorkflowLive(LiveState):
    mode: WorkflowMode | None = None
    frames: int | None = None
    fps: float | None = None
    capture: str | None = Field(None, description="how frames are taken (screencap, stream)")
    total: int | None = None
    index: int | None = Field(None, description="WalkThrough: the frame shown, from 1")
    file: str | None = None
    samples: int | None = Field(None, description="Trace: frames with notes so far")
    fit_rms_ms: float | None = None
    fit_max_ms: float | None = None
    previous_rms_ms: float | None = None
    coefficients: list[float] | None = None
    tracks: int | None = None


class LiveStates(BaseModel):
    """Module name -> its live state model (the dashboard's generated types index this)."""

    scriptor: ScriptorLive
    song_recognition: SongRecognitionLive
    ui_recognition: UIRecognitionLive
    fetch: FetchLive
    workflow: WorkflowLive


LIVE_MODELS: dict[str, type[LiveState]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in LiveStates.model_fields.items()
}


class LiveStateError(ValueError):
    """A module's state fields that do not match its model."""


def parse_live(module: str, fields: Mapping[str, Any]) -> LiveState:
    """The one reading of a module's state fields: its model, or ``LiveStateError`` naming
    the module and the fields at fault."""
    try:
        model = LIVE_MODELS[module]
    except KeyError:
        raise LiveStateError(f"no live state model for module {module!r}") from None
    try:
        return model.model_validate(dict(fields))
    except ValidationError as exc:
        bad = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise LiveStateError(f"{module} state fields: {bad}") from None


def state_update(module: str, live: LiveState | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """What one ``ctx.state(live, **fields)`` publishes: the fields the model sets, then
    the keyword fields, checked against the module's model (``LiveStateError`` if not)."""
    out = live.model_dump(mode="json", exclude_unset=True) if live is not None else {}
    out.update(fields)
    if module in LIVE_MODELS:
        parse_live(module, out)
    return out
