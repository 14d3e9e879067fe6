"""TitleNet's ONNX export (needs torch) and ONNX Runtime inference (needs no torch: the
scriptor and the recogniser import this without paying torch's ~1.4 s import). The file
handling is common/onnx_io.py's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from services.recognition.common import onnx_io
from services.recognition.common.onnx_io import META_KEY
from services.recognition.song.meta import INPUT, check_meta

if TYPE_CHECKING:
    from services.recognition.song.titlenet import TitleNet

__all__ = ["META_KEY", "OnnxEmbedder", "export_onnx"]


def export_onnx(model: TitleNet, path: Path, meta: dict[str, Any]) -> None:
    import torch

    onnx_io.export_onnx(model, torch.zeros(1, *INPUT), path, meta, ["embedding"])


class OnnxEmbedder(onnx_io.OnnxModel):
    """TitleNet through ONNX Runtime: (N, 1, 36, 450) float32 -> (N, 128) unit vectors."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        super().__init__(path, check_meta, threads=threads)
        # One query at a time (the recogniser's case): input and output buffers are bound
        # once, so a call copies the crop in and runs, with no per-call allocation.
        self._one_in = np.zeros((1, *INPUT), np.float32)
        self._one_out = np.zeros((1, int(self.meta.get("embed_dim", 128))), np.float32)
        self._binding = self.session.io_binding()
        self._binding.bind_ortvalue_input("x", ort.OrtValue.ortvalue_from_numpy(self._one_in))
        self._binding.bind_ortvalue_output("embedding", ort.OrtValue.ortvalue_from_numpy(self._one_out))

    def embed_one(self, mask: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """One binarised crop (36, 450) -> its unit vector (a view of a reused buffer:
        copy it to keep it past the next call)."""
        self._one_in[0, 0] = mask
        self.session.run_with_iobinding(self._binding)
        out: npt.NDArray[np.float32] = self._one_out[0]
        return out

    def __call__(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        out = self.session.run(None, {"x": np.ascontiguousarray(x, dtype=np.float32)})[0]
        return np.asarray(out, dtype=np.float32)
