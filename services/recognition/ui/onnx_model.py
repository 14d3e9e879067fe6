"""BangUINet's ONNX export (needs torch) and the ONNX Runtime session (needs no torch, so
the scriptor loads the classifier without paying torch's import). The file handling is
common/onnx_io.py's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from services.recognition.common import onnx_io
from services.recognition.common.model_file import ModelFileError
from services.recognition.common.onnx_io import META_KEY
from services.recognition.ui.labels import LABELS
from services.recognition.ui.meta import INPUT, check_meta

if TYPE_CHECKING:
    import torch

    from services.recognition.ui.bangui_net import BangUINet

__all__ = ["META_KEY", "OnnxUINet", "export_onnx"]
OUTPUTS = ["logits", "features"]
GRID = "grid"  # the features before pooling; models exported before it lack it (gallery.py)


def export_onnx(model: BangUINet, path: Path, meta: dict[str, Any]) -> None:
    import torch

    class _Both(torch.nn.Module):
        def __init__(self, net: BangUINet) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            return self.net.embed_grid(x)

    onnx_io.export_onnx(_Both(model.eval()), torch.zeros(1, *INPUT), path, meta, [*OUTPUTS, GRID])


class OnnxUINet(onnx_io.OnnxModel):
    """BangUINet through ONNX Runtime: (N, 3, 90, 160) float32 -> (logits, features)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        super().__init__(path, check_meta, threads=threads, what="UI model")
        outs = self.output_names
        if outs[:2] != OUTPUTS or self.session.get_outputs()[0].shape[-1] != len(LABELS):
            raise ModelFileError(f"{self.path}: outputs {outs} do not match BangUINet's (logits, features)")

    @property
    def has_grid(self) -> bool:
        return GRID in self.output_names

    def __call__(self, x: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        logits, feats = self.session.run(OUTPUTS, {"x": np.ascontiguousarray(x, dtype=np.float32)})
        return np.asarray(logits, np.float32), np.asarray(feats, np.float32)

    def run_all(self, x: npt.NDArray[np.float32]) -> dict[str, npt.NDArray[np.float32]]:
        """Every output by name (``grid`` too when the model has it)."""
        outs = self.session.run(None, {"x": np.ascontiguousarray(x, dtype=np.float32)})
        return {name: np.asarray(v, np.float32) for name, v in zip(self.output_names, outs, strict=True)}
