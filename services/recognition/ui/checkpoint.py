"""The training checkpoint ``banguinet.pt``: ``{'model_state_dict', 'meta'}``; the meta
(meta.py) lets a mismatched or corrupt file be refused with a clear error."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from services.recognition.ui.bangui_net import BangUINet
from services.recognition.ui.labels import LABELS
from services.recognition.ui.meta import ModelFileError, check_meta
from shared.atomic_write import write_atomic


def save_checkpoint(path: Path, model: BangUINet, meta: dict[str, Any], *, half: bool = False) -> None:
    state = model.state_dict()
    if half:  # the shipped copy: float16 weights, loaded back as float32
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    buf = io.BytesIO()
    torch.save({"model_state_dict": state, "meta": meta}, buf)
    write_atomic(Path(path), buf.getvalue())


def load_checkpoint(path: Path) -> tuple[BangUINet, dict[str, Any]]:
    """(model in eval mode, meta). Raises ModelFileError on a bad file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged zip/pickle
        raise ModelFileError(
            f"{path}: not a readable checkpoint (corrupt or not a torch file): {exc}"
        ) from exc
    if not isinstance(data, dict) or "model_state_dict" not in data:
        raise ModelFileError(f"{path}: no 'model_state_dict' (not a BangUINet checkpoint)")
    meta = check_meta(data.get("meta"), str(path))
    model = BangUINet(len(LABELS), float(meta.get("width_mult", 1.0)))
    try:
        model.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in data["model_state_dict"].items()}
        )
    except RuntimeError as exc:
        raise ModelFileError(f"{path}: weights do not fit BangUINet: {str(exc)[:300]}") from exc
    model.eval()
    return model, meta
