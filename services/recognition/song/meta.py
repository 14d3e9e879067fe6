"""What a model file must declare so that nothing loads a model it cannot use: the network,
its input, the preprocessing and the format version. Shared by the .pt checkpoint, the ONNX
export and the gallery's model record (plain data, no torch)."""

from __future__ import annotations

from typing import Any

FORMAT = "autobang-titlenet"
VERSION = 1
NETWORK = "TitleNet/MobileNetV3-small"
INPUT = [1, 36, 450]
EMBED_DIM = 128
PREPROCESSING = "levels p0.5->50 p70->230; invert; threshold 160"


def base_meta() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "network": NETWORK,
        "input": list(INPUT),
        "embed_dim": EMBED_DIM,
        "preprocessing": PREPROCESSING,
    }


class ModelFileError(ValueError):
    """A model or checkpoint file that is corrupt or made for something else."""


def check_meta(meta: Any, source: str) -> dict[str, Any]:
    """Refuse, with a message naming the file and the field, anything that does not match."""
    if not isinstance(meta, dict):
        raise ModelFileError(f"{source}: no TitleNet metadata (not a file written by this project)")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{source}: format is {meta.get('format')!r}, expected {FORMAT!r}")
    want = base_meta()
    for key in ("version", "network", "input", "embed_dim", "preprocessing"):
        if meta.get(key) != want[key]:
            raise ModelFileError(f"{source}: {key} is {meta.get(key)!r}, this code needs {want[key]!r}")
    return meta
