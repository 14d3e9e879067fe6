"""ONNX export (needs torch) and the ONNX Runtime session (needs no torch, so the scriptor
loads the classifier without paying torch's import)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from services.recognition.ui.labels import LABELS
from services.recognition.ui.meta import INPUT, ModelFileError, check_meta
from shared.atomic_write import write_atomic

if TYPE_CHECKING:
    from services.recognition.ui.bangui_net import BangUINet

META_KEY = "autobang_meta"


def export_onnx(model: BangUINet, path: Path, meta: dict[str, Any]) -> None:
    import io

    import onnx
    import torch

    class _Both(torch.nn.Module):
        def __init__(self, net: BangUINet) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return self.net.embed(x)

    model = model.eval()
    buf = io.BytesIO()
    torch.onnx.export(
        _Both(model),
        (torch.zeros(1, *INPUT),),
        buf,  # type: ignore[arg-type]  # torch accepts file objects too
        input_names=["x"],
        output_names=["logits", "features"],
        dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}, "features": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )
    proto = onnx.load_from_string(buf.getvalue())
    entry = proto.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta)
    write_atomic(Path(path), proto.SerializeToString())


class OnnxUINet:
    """BangUINet through ONNX Runtime: (N, 3, 90, 160) float32 -> (logits, features)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"UI model not found: {self.path}")
        data = self.path.read_bytes()
        self.model_id = hashlib.sha256(data).hexdigest()[:16]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelFileError(f"{self.path}: not a readable ONNX model (corrupt?): {exc}") from exc
        raw = self.session.get_modelmeta().custom_metadata_map.get(META_KEY)
        try:
            meta = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            meta = None
        self.meta = check_meta(meta, str(self.path))
        outs = [o.name for o in self.session.get_outputs()]
        if outs[:2] != ["logits", "features"] or self.session.get_outputs()[0].shape[-1] != len(LABELS):
            raise ModelFileError(f"{self.path}: outputs {outs} do not match BangUINet's (logits, features)")

    def __call__(self, x: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        logits, feats = self.session.run(None, {"x": np.ascontiguousarray(x, dtype=np.float32)})
        return np.asarray(logits, np.float32), np.asarray(feats, np.float32)
