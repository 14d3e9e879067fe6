"""Module state fields: one model per module, checked where they are published."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ScriptorConfig
from shared.live_state import (
    LIVE_MODELS,
    LiveStateError,
    ScriptorLive,
    WorkflowLive,
    parse_live,
    state_update,
)
from shared.modules import MODULE_NAMES
from tests.task_double import RecordingContext


def test_every_module_has_one_live_model() -> None:
    assert sorted(LIVE_MODELS) == sorted(MODULE_NAMES)


def test_a_model_and_keywords_are_published_as_json_values() -> None:
    out = state_update("workflow", WorkflowLive(mode="Capture", fps=29.5), {"frames": 3})
    assert out == {"mode": "Capture", "fps": 29.5, "frames": 3}  # only what was set


def test_a_known_field_of_the_wrong_type_is_refused_naming_it() -> None:
    with pytest.raises(LiveStateError, match=r"scriptor state fields: plays: .*integer"):
        state_update("scriptor", None, {"plays": "many"})
    with pytest.raises(LiveStateError, match="no live state model for module 'nowhere'"):
        parse_live("nowhere", {})


def test_other_fields_are_kept() -> None:
    live = parse_live("scriptor", {"screen": "ready", "loop": 3})
    assert isinstance(live, ScriptorLive) and live.screen == "ready"
    assert live.model_dump(exclude_unset=True) == {"screen": "ready", "loop": 3}


def test_the_task_double_checks_what_a_body_publishes(tmp_path: Path) -> None:
    ctx = RecordingContext(tmp_path, ScriptorConfig(), module="scriptor")
    ctx.state(ScriptorLive(screen="ready"), cycle=2)
    assert ctx.states == [{"screen": "ready", "cycle": 2}]
    with pytest.raises(LiveStateError):
        ctx.state(in_play="perhaps")
