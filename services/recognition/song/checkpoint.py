"""The training checkpoint: ``{'model_state_dict', 'criterion_state_dict'}`` as the user
asked, plus ``meta`` (see meta.py) so a mismatched or corrupt file is refused clearly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from services.recognition.song.meta import ModelFileError, check_meta
from services.recognition.song.titlenet import TitleNet
from shared.atomic_write import write_atomic


def save_checkpoint(
    path: Path, model: TitleNet, criterion: torch.nn.Module | None, meta: dict[str, Any]
) -> None:
    buf = io.BytesIO()
    torch.save(
        {
            "model_state_dict": model.state_dict(),
            "criterion_state_dict": criterion.state_dict() if criterion is not None else {},
            "meta": meta,
        },
        buf,
    )
    write_atomic(Path(path), buf.getvalue())


def load_checkpoint(path: Path) -> tuple[TitleNet, dict[str, Any], dict[str, Any]]:
    """(model in eval mode, criterion state, meta). Raises ModelFileError on a bad file."""
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
        raise ModelFileError(f"{path}: no 'model_state_dict' (not a TitleNet checkpoint)")
    meta = check_meta(data.get("meta"), str(path))
    model = TitleNet(meta["embed_dim"])
    try:
        model.load_state_dict(data["model_state_dict"])
    except RuntimeError as exc:
        raise ModelFileError(f"{path}: weights do not fit TitleNet: {str(exc)[:300]}") from exc
    model.eval()
    crit = data.get("criterion_state_dict") or {}
    return model, crit, meta


def compact_checkpoint(src: Path, dst: Path) -> None:
    """The shipped copy: float16 weights (loaded back as float32), no ArcFace head (its
    classes are the training run's, useless for fine-tuning on other titles)."""
    model, _, meta = load_checkpoint(src)
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save({"model_state_dict": state, "criterion_state_dict": {}, "meta": meta | {"compact": True}}, buf)
    write_atomic(Path(dst), buf.getvalue())
