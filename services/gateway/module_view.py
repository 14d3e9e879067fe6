"""A module as the API shows it: its state (with open prompt, progress and last event id)
and its latest images, read from Redis."""

from __future__ import annotations

from pydantic import ValidationError

from services.gateway.models import LatestImage, ModuleState, SnapshotModule
from shared.event_schema import ProgressData
from shared.runtime.connection import TextRedis
from shared.runtime.images import latest_images
from shared.runtime.lenient import as_object, junk
from shared.runtime.publish import last_id
from shared.runtime.state import open_prompt, read_state, state_data


def module_state(r: TextRedis, module: str) -> ModuleState:
    raw = read_state(r, module)
    base = state_data(raw)
    prompt = open_prompt(raw)
    return ModuleState(
        **base.model_dump(), prompt=prompt, progress=_progress(raw), last_id=last_id(r, module)
    )


def _progress(raw: dict[str, str]) -> ProgressData | None:
    value = as_object(raw.get("progress"), "state.progress")
    try:
        return None if value is None else ProgressData.model_validate(value)
    except ValidationError:
        junk("state.progress", value, " (not progress)")
        return None


def module_images(r: TextRedis, module: str) -> dict[str, LatestImage]:
    out = {}
    for kind, rec in sorted(latest_images(r, module).items()):
        try:
            out[kind] = LatestImage.model_validate(rec)
        except ValidationError:
            junk(f"latest image {module}/{kind}", rec, " (not an image record)")
    return out


def snapshot_module(r: TextRedis, module: str) -> SnapshotModule:
    # images after the state: an image newer than ``last_id`` also arrives as a live event
    state = module_state(r, module)
    return SnapshotModule(**state.model_dump(), images=module_images(r, module))
