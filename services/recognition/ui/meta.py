"""What a BangUINet model file must declare (the .pt checkpoint and the ONNX export carry
the same record): network, input, preprocessing, the label list and the calibration. A file
that does not match is refused with a message naming the file and the field."""

from __future__ import annotations

from typing import Any

from services.recognition.common.model_file import ModelFileError as ModelFileError
from services.recognition.common.model_file import check_meta as check_record
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


def check_meta(meta: Any, source: str) -> dict[str, Any]:
    checked = check_record(meta, source, base_meta(), "BangUINet")
    if not isinstance(checked.get("width_mult", 1.0), (int, float)):
        raise ModelFileError(f"{source}: width_mult is not a number")
    return checked
