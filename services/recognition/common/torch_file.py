"""Torch checkpoints ``{'model_state_dict', ..., 'meta'}``: written atomically, read with
``weights_only`` and refused with a clear error when damaged, not a checkpoint, or holding
weights that do not fit the network."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from services.recognition.common.model_file import ModelFileError
from shared.atomic_write import write_atomic


def save_torch(path: Path, payload: dict[str, Any]) -> None:
    buf = io.BytesIO()
    torch.save(payload, buf)
    write_atomic(Path(path), buf.getvalue())


def half(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """float16 copies of the floating-point tensors (the shipped, compact checkpoints)."""
    return {k: v.half() if v.is_floating_point() else v for k, v in state.items()}


def load_torch(
    path: Path, check: Callable[[Any, str], dict[str, Any]], what: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the checkpoint's dict, its checked meta)."""
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
        raise ModelFileError(f"{path}: no 'model_state_dict' (not a {what} checkpoint)")
    return data, check(data.get("meta"), str(path))


def load_weights(model: torch.nn.Module, state: dict[str, torch.Tensor], path: Path, what: str) -> None:
    """Load ``state`` (float16 tensors back to float32) into ``model``, in eval mode."""
    try:
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    except RuntimeError as exc:
        raise ModelFileError(f"{path}: weights do not fit {what}: {str(exc)[:300]}") from exc
    model.eval()
