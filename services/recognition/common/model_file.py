"""The metadata record every model file carries (the .pt checkpoint and the ONNX export
alike) and its check: a file made for something else is refused with a message naming the
file and the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ModelFileError(ValueError):
    """A model or checkpoint file that is corrupt or made for something else."""


def check_meta(meta: Any, source: str, want: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``meta`` when its ``format`` and every other key of ``want`` match; ``what`` names
    the network in the message (e.g. "TitleNet")."""
    if not isinstance(meta, dict):
        raise ModelFileError(f"{source}: no {what} metadata (not a file written by this project)")
    if meta.get("format") != want["format"]:
        raise ModelFileError(f"{source}: format is {meta.get('format')!r}, expected {want['format']!r}")
    for key, value in want.items():
        if key != "format" and meta.get(key) != value:
            raise ModelFileError(f"{source}: {key} is {meta.get(key)!r}, this code needs {value!r}")
    return meta
