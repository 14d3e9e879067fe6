"""Base class for module configs and helpers for the UI's vendor schema keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class ModuleConfig(BaseModel):
    """A module's whole config. Unknown fields are refused so typos surface as 422s."""

    # allow_inf_nan: NaN/Infinity are no setting's value (and not JSON either).
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, use_enum_values=False, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_bools_as_numbers(cls, data: Any) -> Any:
        """``{"epoch": true}`` is not 1: pydantic's lax mode would take it as one."""
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                if isinstance(data.get(name), bool) and field.annotation in (int, float):
                    raise ValueError(f"{name} must be a number, not {str(data[name]).lower()}")
        return data


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

    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    p = PurePosixPath(value.replace("\\", "/"))
    if not value or p.is_absolute() or ".." in p.parts or ":" in value:
        raise ValueError("must be a relative path inside the data dir (no '..', not absolute)")
    if not p.parts:
        raise ValueError("must name a folder inside the data dir, not the data dir itself")
    if p.parts[0] in RESERVED_DIRS:
        raise ValueError(f"must not be inside {p.parts[0]}/ (the platform's own folder)")
    return str(p)


# Folders of the data dir the platform writes itself (Redis's files, run files, config
# mirrors): no setting may point uploads or task output there.
RESERVED_DIRS = ("redis", "run", "config")
