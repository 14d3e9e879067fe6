"""The screen models a data dir holds, for the dashboard (in ``shared/``: the gateway reads
it and imports no task module): the one in use (the data dir's
trained model, else the shipped one), the refused ones kept aside with their reason, and the
way back to the shipped model in one step (the trained one is moved aside, never deleted)."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from pydantic import BaseModel

from shared.settings import PROJECT_ROOT

# The UI recognition's file facts (services/recognition/ui: classifier.MODEL_NAME and
# DEFAULT_MODEL, pipeline.MODEL_FILES, dataset.MODELS); tests/ui_recognition/test_model_list.py
# keeps the two equal.
MODEL_NAME = "banguinet.onnx"
SUMMARY_NAME = "banguinet.json"
MODEL_FILES = (MODEL_NAME, "banguinet.pt", SUMMARY_NAME)
MODELS = "ui_recognition/models"
SHIPPED_DIR = PROJECT_ROOT / "services" / "recognition" / "ui" / "models"
UNKNOWN = "unknown"


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / MODELS


def known_states(meta: dict[str, object]) -> set[str]:
    """The screens a model was trained on (``train_counts`` in its record)."""
    counts = meta.get("train_counts")
    if not isinstance(counts, dict):
        return set()
    return {s for s, n in counts.items() if isinstance(n, int) and n > 0 and s != UNKNOWN}


class ModelEntry(BaseModel):
    name: str  # "trained", "shipped", "rejected/<time>", "replaced/<time>"
    in_use: bool
    path: str  # relative to the data dir; the shipped one: "(shipped with the product)"
    screens: int  # screens it has training frames of
    val_acc: float | None = None
    reason: str = ""  # why it was kept aside
    saved: float | None = None  # file time (s since the epoch)


def _entry(name: str, folder: Path, in_use: bool, data_dir: Path | None) -> ModelEntry:
    meta: dict[str, object] = {}
    with contextlib.suppress(OSError, ValueError):  # a model without its record still lists
        meta = json.loads((folder / SUMMARY_NAME).read_text())
    reason = (folder / "reason.txt").read_text().strip() if (folder / "reason.txt").is_file() else ""
    model = folder / MODEL_NAME
    acc = meta.get("val_acc")
    return ModelEntry(
        name=name,
        in_use=in_use,
        path=str(folder.relative_to(data_dir)) if data_dir else "(shipped with the product)",
        screens=len(known_states(meta)),
        val_acc=float(acc) if isinstance(acc, (int, float)) else None,
        reason=reason,
        saved=model.stat().st_mtime if model.is_file() else None,
    )


def list_models(data_dir: Path) -> list[ModelEntry]:
    mdir = models_dir(data_dir)
    trained = (mdir / MODEL_NAME).is_file()
    out = [_entry("shipped", SHIPPED_DIR, not trained, None)]
    if trained:
        out.append(_entry("trained", mdir, True, data_dir))
    for kind in ("rejected", "replaced"):
        folder = mdir / kind
        if folder.is_dir():
            out += [
                _entry(f"{kind}/{d.name}", d, False, data_dir) for d in sorted(folder.iterdir()) if d.is_dir()
            ]
    return out


def use_shipped(data_dir: Path) -> str | None:
    """Go back to the shipped model: the trained one's files move to ``replaced/<time>/``.
    Returns where they went (relative to the data dir), None when none was in use."""
    mdir = models_dir(data_dir)
    if not (mdir / MODEL_NAME).is_file():
        return None
    dest = mdir / "replaced" / time.strftime("%Y%m%d-%H%M%S")
    while dest.exists():
        dest = dest.with_name(dest.name + "_")
    dest.mkdir(parents=True)
    for name in MODEL_FILES:
        if (mdir / name).is_file():
            (mdir / name).replace(dest / name)
    return str(dest.relative_to(data_dir))
