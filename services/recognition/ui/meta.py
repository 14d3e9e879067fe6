"""What a BangUINet model file must declare (the .pt checkpoint and the ONNX export carry
the same record): network, input, preprocessing, the label list and the calibration. A file
that does not match is refused with a message naming the file and the field."""

from __future__ import annotations

from typing import Any

from services.recognition.ui.labels import LABELS

FORMAT = "autobang-banguinet"
VERSION = 1
NETWORK = "BangUINet/MobileNetV2-style"
INPUT = [3, 90, 160]  # C, H, W
PREPROCESSING = "full frame, INTER_AREA to 160x90, BGR->RGB, /255"


def base_meta() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "network": NETWORK,
        "input": list(INPUT),
        "preprocessing": PREPROCESSING,
        "labels": list(LABELS),
    }


class ModelFileError(ValueError):
    """A model or checkpoint file that is corrupt or made for something else."""


def check_meta(meta: Any, source: str) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise ModelFileError(f"{source}: no BangUINet metadata (not a UI model written by this project)")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{source}: format is {meta.get('format')!r}, expected {FORMAT!r}")
    want = base_meta()
    for key in ("version", "network", "input", "preprocessing", "labels"):
        if meta.get(key) != want[key]:
            raise ModelFileError(f"{source}: {key} is {meta.get(key)!r}, this code needs {want[key]!r}")
    if not isinstance(meta.get("width_mult", 1.0), (int, float)):
        raise ModelFileError(f"{source}: width_mult is not a number")
    return meta
