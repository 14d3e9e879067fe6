"""Train -> files -> evaluate -> promote: shared by the CLI and the training task."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from services.recognition.common import promote as promotion
from services.recognition.song.recognizer import DEFAULT_MODEL
from services.recognition.song.store import load_title_images
from shared.atomic_write import write_atomic

MODEL_FILES = ("titlenet.onnx", "titlenet.pt", "titlenet.json")


def train_to_dir(
    title_dir: Path,
    out_dir: Path,
    opts: Any,
    *,
    init_checkpoint: Path | None = None,
    on_step: Callable[[Any], None] | None = None,
    log: Callable[[str], None] = print,
    synthetic: int = 0,
) -> dict[str, Any]:
    """Train on the titles of ``title_dir`` minus the hold-out, write titlenet.pt/.onnx/.json
    into ``out_dir``; returns the model's metadata."""
    from services.recognition.song.checkpoint import load_checkpoint, save_checkpoint
    from services.recognition.song.onnx_model import export_onnx
    from services.recognition.song.train import holdout_ids, train

    ids, imgs = load_title_images(title_dir)
    held = holdout_ids(ids)
    keep = np.array([i not in held for i in ids])
    if keep.sum() < 2:  # tiny folders: train on everything
        keep[:] = True
    train_imgs = imgs[keep]
    if synthetic:
        train_imgs = np.concatenate([train_imgs, synthetic_crops(synthetic)])
        log(f"plus {synthetic} rendered non-song titles as extra classes")
    init = None
    if init_checkpoint is not None:
        init, _, _ = load_checkpoint(init_checkpoint)
        log(f"starting from {init_checkpoint}")
    out = len(ids) - int(keep.sum())
    held_note = f"{out} held out" if out else "none held out: too few titles"
    log(f"training {opts.loss} on {int(keep.sum())} titles ({held_note}), {opts.steps} steps")
    result = train(train_imgs, opts, init=init, on_step=on_step)
    meta = result.meta | {
        "train_ids": [int(i) for i in np.asarray(ids)[keep]],
        "synthetic_classes": synthetic,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    save_checkpoint(out_dir / "titlenet.pt", result.model, result.criterion, meta)
    export_onnx(result.model, out_dir / "titlenet.onnx", meta)
    summary = {k: v for k, v in meta.items() if k != "train_ids"} | {
        "history": result.history[-1:] if result.history else []
    }
    write_atomic(out_dir / "titlenet.json", json.dumps(summary, indent=1).encode())
    return meta


def synthetic_crops(n: int, seed: int = 13) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Crops of titles that are no song (characters of real titles reshuffled): more classes
    teach the embedding to tell titles apart in general, not just the ones it saw."""
    from services.recognition.song.evaluate import fake_titles
    from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all
    from shared.title_render import render_title

    real = [s.title for s in load_songs_all(SHIPPED_SONGS_ALL).values()]
    return np.stack([render_title(t, salt="train") for t in fake_titles(real, n, seed=seed)])


def model_train_ids(model_path: Path) -> set[int] | None:
    from services.recognition.song.onnx_model import OnnxEmbedder

    ids = OnnxEmbedder(model_path).meta.get("train_ids")
    return {int(i) for i in ids} if isinstance(ids, list) else None


def quality(report: dict[str, Any]) -> float:
    """One number to compare models: accepted-correct under both query sets, minus a heavy
    penalty per accepted outsider or wrong answer."""
    bad = report["outside"]["accepted"] + report["user"]["accepted_wrong"] + report["hard"]["accepted_wrong"]
    return float(report["user"]["accepted_correct"] + report["hard"]["accepted_correct"] - 0.1 * bad)


def current_model(models_dir: Path) -> Path:
    return promotion.current_model(models_dir, "titlenet.onnx", DEFAULT_MODEL)
