"""What a model file must declare so that nothing loads a model it cannot use: the network,
its input, the preprocessing and the format version. Shared by the .pt checkpoint, the ONNX
export and the gallery's model record (plain data, no torch)."""

from __future__ import annotations

from typing import Any

from services.recognition.common.model_file import ModelFileError as ModelFileError
from services.recognition.common.model_file import check_meta as check_record

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


def check_meta(meta: Any, source: str) -> dict[str, Any]:
    """Refuse, with a message naming the file and the field, anything that does not match."""
    return check_record(meta, source, base_meta(), "TitleNet")
