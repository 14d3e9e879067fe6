"""The training checkpoint ``banguinet.pt``: ``{'model_state_dict', 'meta'}``; the meta
(meta.py) lets a mismatched or corrupt file be refused with a clear error
(common/torch_file.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.recognition.common.torch_file import half as half_state
from services.recognition.common.torch_file import load_torch, load_weights, save_torch
from services.recognition.ui.bangui_net import BangUINet
from services.recognition.ui.labels import LABELS
from services.recognition.ui.meta import check_meta


def save_checkpoint(path: Path, model: BangUINet, meta: dict[str, Any], *, half: bool = False) -> None:
    state = model.state_dict()
    # the shipped copy: float16 weights, loaded back as float32
    save_torch(path, {"model_state_dict": half_state(state) if half else state, "meta": meta})


def load_checkpoint(path: Path) -> tuple[BangUINet, dict[str, Any]]:
    """(model in eval mode, meta). Raises ModelFileError on a bad file."""
    data, meta = load_torch(path, check_meta, "BangUINet")
    model = BangUINet(len(LABELS), float(meta.get("width_mult", 1.0)))
    load_weights(model, data["model_state_dict"], Path(path), "BangUINet")
    return model, meta
