"""ONNX export with the model's metadata inside (needs torch), and opening an ONNX Runtime
session that checks it (needs no torch: the scriptor and the recognisers load models
without paying torch's ~1.4 s import)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.recognition.common.model_file import ModelFileError
from shared.atomic_write import write_atomic

if TYPE_CHECKING:
    import onnxruntime
    import torch

META_KEY = "autobang_meta"  # the metadata_props entry that holds the JSON record


def export_onnx(
    module: torch.nn.Module,
    example: torch.Tensor,
    path: Path,
    meta: dict[str, Any],
    outputs: Sequence[str],
) -> None:
    """Export ``module`` (eval mode, batch axis dynamic, input ``x``) with ``meta`` as
    ``autobang_meta``; written atomically."""
    import io

    import onnx
    import torch

    module = module.eval()
    buf = io.BytesIO()
    torch.onnx.export(
        module,
        (example,),
        buf,  # type: ignore[arg-type]  # torch accepts file objects too
        input_names=["x"],
        output_names=list(outputs),
        dynamic_axes={name: {0: "n"} for name in ("x", *outputs)},
        opset_version=17,
        dynamo=False,
    )
    proto = onnx.load_from_string(buf.getvalue())
    entry = proto.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta, ensure_ascii=False)
    write_atomic(Path(path), proto.SerializeToString())


class OnnxModel:
    """An ONNX Runtime session on one model file: ``session``, ``meta`` (checked by
    ``check``), ``model_id`` (a hash of the file). Refuses a missing file, one ONNX Runtime
    cannot read, and one whose record ``check`` rejects."""

    def __init__(
        self,
        path: Path,
        check: Callable[[Any, str], dict[str, Any]],
        *,
        threads: int = 1,
        what: str = "model",
    ) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"{what} not found: {self.path}")
        data = self.path.read_bytes()
        self.model_id = hashlib.sha256(data).hexdigest()[:16]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session: onnxruntime.InferenceSession = ort.InferenceSession(
                data, opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a damaged file
            raise ModelFileError(f"{self.path}: not a readable ONNX model (corrupt?): {exc}") from exc
        raw = self.session.get_modelmeta().custom_metadata_map.get(META_KEY)
        try:
            meta = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            meta = None
        self.meta = check(meta, str(self.path))

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.session.get_outputs()]
