"""Base class for module configs and helpers for the UI's vendor schema keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModuleConfig(BaseModel):
    """A module's whole config. Unknown fields are refused so typos surface as 422s."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


def ui(widget: str, *, live: bool = True, **extra: Any) -> dict[str, Any]:
    """``json_schema_extra`` for a field: which widget draws it and whether a running task
    picks up changes (``x-live``)."""
    out: dict[str, Any] = {"x-widget": widget, "x-live": live}
    out.update({f"x-{k.replace('_', '-')}": v for k, v in extra.items()})
    return out


def check_data_relative(value: str) -> str:
    """A path inside the data dir: relative, no ``..`` parts (uploads and tasks never
    reach outside it)."""
    from pathlib import PurePosixPath

    p = PurePosixPath(value.replace("\\", "/"))
    if not value or p.is_absolute() or ".." in p.parts or ":" in value:
        raise ValueError("must be a relative path inside the data dir (no '..', not absolute)")
    return str(p)
