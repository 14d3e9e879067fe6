"""A module as the API shows it: its state (with open prompt, progress and last event id)
and its latest images, read from Redis."""

from __future__ import annotations

from services.gateway.models import LatestImage, ModuleState, SnapshotModule
from shared.event_schema import ProgressData
from shared.runtime.connection import TextRedis
from shared.runtime.images import latest_images
from shared.runtime.publish import last_id
from shared.runtime.state import open_prompt, read_state, state_data


def module_state(r: TextRedis, module: str) -> ModuleState:
    raw = read_state(r, module)
    base = state_data(raw)
    prompt = open_prompt(raw)
    progress = raw.get("progress") or ""
    return ModuleState(
        **base.model_dump(),
        prompt=prompt,
        progress=ProgressData.model_validate_json(progress) if progress else None,
        last_id=last_id(r, module),
    )


def module_images(r: TextRedis, module: str) -> dict[str, LatestImage]:
    return {kind: LatestImage.model_validate(rec) for kind, rec in sorted(latest_images(r, module).items())}


def snapshot_module(r: TextRedis, module: str) -> SnapshotModule:
    # images after the state: an image newer than ``last_id`` also arrives as a live event
    state = module_state(r, module)
    return SnapshotModule(**state.model_dump(), images=module_images(r, module))
