"""ONNX export (needs torch) and ONNX Runtime inference (needs no torch: the scriptor and
the recogniser import this without paying torch's ~1.4 s import)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from services.recognition.song.meta import ModelFileError, check_meta
from shared.atomic_write import write_atomic

if TYPE_CHECKING:
    from services.recognition.song.titlenet import TitleNet

META_KEY = "autobang_meta"


def export_onnx(model: TitleNet, path: Path, meta: dict[str, Any]) -> None:
    import io

    import onnx
    import torch

    model = model.eval()
    buf = io.BytesIO()
    x = torch.zeros(1, 1, 36, 450)
    torch.onnx.export(
        model,
        (x,),
        buf,  # type: ignore[arg-type]  # torch accepts file objects too
        input_names=["x"],
        output_names=["embedding"],
        dynamic_axes={"x": {0: "n"}, "embedding": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )
    proto = onnx.load_from_string(buf.getvalue())
    entry = proto.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta, ensure_ascii=False)
    write_atomic(Path(path), proto.SerializeToString())


class OnnxEmbedder:
    """TitleNet through ONNX Runtime: (N, 1, 36, 450) float32 -> (N, 128) unit vectors."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"model not found: {self.path}")
        data = self.path.read_bytes()
        self.model_id = hashlib.sha256(data).hexdigest()[:16]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
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
        # One query at a time (the recogniser's case): input and output buffers are bound
        # once, so a call copies the crop in and runs, with no per-call allocation.
        self._one_in = np.zeros((1, 1, 36, 450), np.float32)
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
