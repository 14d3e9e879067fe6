"""Dataset -> train -> model files -> compare -> promote: shared by the CLI and the task."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from services.recognition.ui.calibrate import Calibration
from services.recognition.ui.classifier import MODEL_NAME, UIClassifier
from services.recognition.ui.labels import LABELS, UNKNOWN, UNKNOWN_ID
from services.recognition.ui.preprocess import Image
from shared.atomic_write import write_atomic

CHECKPOINT_NAME = "banguinet.pt"
SUMMARY_NAME = "banguinet.json"
MODEL_FILES = (MODEL_NAME, CHECKPOINT_NAME, SUMMARY_NAME)


def write_model(out_dir: Path, result: Any, *, half: bool = False) -> None:
    """banguinet.pt/.onnx/.json for a TrainResult."""
    from services.recognition.ui.checkpoint import save_checkpoint
    from services.recognition.ui.onnx_model import export_onnx

    out_dir.mkdir(parents=True, exist_ok=True)
    save_checkpoint(out_dir / CHECKPOINT_NAME, result.model, result.meta, half=half)
    export_onnx(result.model, out_dir / MODEL_NAME, result.meta)
    summary = {k: v for k, v in result.meta.items() if k not in ("centroids", "whiten")} | {
        "history": result.history
    }
    write_atomic(out_dir / SUMMARY_NAME, json.dumps(summary, indent=1).encode())


def accuracy(clf: UIClassifier, images: Image, labels: npt.NDArray[np.int64]) -> dict[str, Any]:
    """What the classifier answers (rejection included) against the truth: overall accuracy,
    known-screen accuracy, unknown rejection, and the wrongly named known screens."""
    preds = clf.classify_small(images)
    got = np.array([LABELS.index(p.state) if p.state != UNKNOWN else UNKNOWN_ID for p in preds])
    known = labels != UNKNOWN_ID
    return {
        "accuracy": float((got == labels).mean()) if len(labels) else 0.0,
        "known": int(known.sum()),
        "known_accuracy": float((got[known] == labels[known]).mean()) if known.any() else 0.0,
        "known_rejected": int((got[known] == UNKNOWN_ID).sum()),
        "known_wrong": int(((got[known] != labels[known]) & (got[known] != UNKNOWN_ID)).sum()),
        "unknown": int((~known).sum()),
        "unknown_rejected": float((got[~known] == UNKNOWN_ID).mean()) if (~known).any() else 0.0,
        "confusion": _pairs(labels, got),
    }


def _pairs(true: npt.NDArray[np.int64], got: npt.NDArray[np.int64]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t, g in zip(true, got, strict=True):
        if t != g:
            key = f"{LABELS[int(t)]}->{LABELS[int(g)]}"
            out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def confusion_png(matrix: npt.NDArray[np.int64], title: str = "validation confusion") -> bytes:
    """The (35, 35) true x predicted matrix, rows normalised, labels on both axes."""
    from services.recognition.common.figures import png, subplots

    rows = matrix.sum(1, keepdims=True)
    norm = np.divide(matrix, rows, out=np.zeros(matrix.shape, np.float64), where=rows > 0)
    fig, ax = subplots((8, 7.5), 90)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(LABELS))
    ax.set_xticks(ticks, LABELS, rotation=90, fontsize=6)
    ax.set_yticks(ticks, LABELS, fontsize=6)
    for t, p in zip(*np.nonzero(matrix), strict=True):
        if t != p:
            ax.text(p, t, str(matrix[t, p]), ha="center", va="center", fontsize=5, color="red")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    return png(fig)


def train_dataset(
    images: Image,
    labels: npt.NDArray[np.int64],
    out_dir: Path,
    opts: Any,
    *,
    init_checkpoint: Path | None = None,
    on_epoch: Callable[[Any], None] | None = None,
    log: Callable[[str], None] = print,
    half: bool = False,
) -> Any:
    """Train (from ``init_checkpoint`` when given) and write the model files; returns the
    TrainResult."""
    from services.recognition.ui.checkpoint import load_checkpoint
    from services.recognition.ui.train import train

    init = None
    if init_checkpoint is not None:
        init, _ = load_checkpoint(init_checkpoint)
        log(f"starting from {init_checkpoint.name} (width {init.width_mult:g})")
    result = train(images, labels, opts, init=init, on_epoch=on_epoch, log=log)
    write_model(out_dir, result, half=half)
    return result


def recalibrate(
    model_dir: Path,
    images: Image,
    labels: npt.NDArray[np.int64],
    *,
    fit: tuple[Image, npt.NDArray[np.int64]] | None = None,
    half: bool = False,
) -> Calibration:
    """Set the model's rejection limits (``max_dist``, ``max_maha``) from a calibration set
    of known screens that is not the training frames (calibrate.set_limits); with ``fit``,
    first the centroids and the covariance from those frames (e.g. fresh captures rather
    than the training split). Rewrites banguinet.pt/.onnx/.json; returns the calibration."""
    from services.recognition.ui.calibrate import refit, set_limits
    from services.recognition.ui.checkpoint import load_checkpoint
    from services.recognition.ui.train import forward_all

    model, meta = load_checkpoint(model_dir / CHECKPOINT_NAME)
    cal = Calibration.from_meta(meta)
    if fit is not None:
        refit(cal, forward_all(model, fit[0])[1], fit[1])
    known = labels != UNKNOWN_ID
    set_limits(cal, forward_all(model, images[known])[1], labels[known])
    summary = (
        json.loads((model_dir / SUMMARY_NAME).read_text()) if (model_dir / SUMMARY_NAME).is_file() else {}
    )
    fitted = {"fitted_on": f"{len(fit[1])} calibration frames"} if fit is not None else {}
    record = meta | cal.as_meta() | {"limits_from": f"{int(known.sum())} calibration frames"} | fitted
    result = _Result(model, record)
    result.history = summary.get("history", [])
    write_model(model_dir, result, half=half)
    return cal


class _Result:
    """What write_model reads from a TrainResult."""

    def __init__(self, model: Any, meta: dict[str, Any]) -> None:
        self.model, self.meta = model, meta
        self.history: list[Any] = []
