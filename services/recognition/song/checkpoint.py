"""The training checkpoint: ``{'model_state_dict', 'criterion_state_dict'}`` as the user
asked, plus ``meta`` (see meta.py) so a mismatched or corrupt file is refused clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from services.recognition.common.torch_file import half, load_torch, load_weights, save_torch
from services.recognition.song.meta import check_meta
from services.recognition.song.titlenet import TitleNet


def save_checkpoint(
    path: Path, model: TitleNet, criterion: torch.nn.Module | None, meta: dict[str, Any]
) -> None:
    save_torch(
        path,
        {
            "model_state_dict": model.state_dict(),
            "criterion_state_dict": criterion.state_dict() if criterion is not None else {},
            "meta": meta,
        },
    )


def load_checkpoint(path: Path) -> tuple[TitleNet, dict[str, Any], dict[str, Any]]:
    """(model in eval mode, criterion state, meta). Raises ModelFileError on a bad file."""
    data, meta = load_torch(path, check_meta, "TitleNet")
    model = TitleNet(meta["embed_dim"])
    load_weights(model, data["model_state_dict"], Path(path), "TitleNet")
    crit = data.get("criterion_state_dict") or {}
    return model, crit, meta


def compact_checkpoint(src: Path, dst: Path) -> None:
    """The shipped copy: float16 weights (loaded back as float32), no ArcFace head (its
    classes are the training run's, useless for fine-tuning on other titles)."""
    model, _, meta = load_checkpoint(src)
    save_torch(
        dst,
        {
            "model_state_dict": half(model.state_dict()),
            "criterion_state_dict": {},
            "meta": meta | {"compact": True},
        },
    )
