"""The screen models for the dashboard: which is in use, the refused ones with their reason,
and back to the shipped one in one step (nothing deleted)."""

from __future__ import annotations

import json
from pathlib import Path

from services.recognition.ui import classifier, dataset, pipeline
from services.recognition.ui.classifier import DEFAULT_MODEL, current_model
from services.recognition.ui.dataset import models_dir
from shared import screen_models
from shared.screen_models import list_models, use_shipped


def test_the_shared_file_facts_are_the_recognisers() -> None:
    assert screen_models.MODEL_NAME == classifier.MODEL_NAME
    assert screen_models.SHIPPED_DIR / screen_models.MODEL_NAME == DEFAULT_MODEL
    assert (
        screen_models.MODEL_FILES == pipeline.MODEL_FILES
        and screen_models.SUMMARY_NAME == pipeline.SUMMARY_NAME
    )
    assert screen_models.MODELS == dataset.MODELS


def test_list_and_switch_back_to_the_shipped_model(tmp_path: Path) -> None:
    assert [(m.name, m.in_use) for m in list_models(tmp_path)] == [("shipped", True)]
    assert list_models(tmp_path)[0].screens == 34
    mdir = models_dir(tmp_path)
    mdir.mkdir(parents=True)
    for name in ("banguinet.onnx", "banguinet.pt"):
        (mdir / name).write_bytes(b"trained")
    (mdir / "banguinet.json").write_text(
        json.dumps({"train_counts": {"ready": 3, "main_page": 3}, "val_acc": 0.9})
    )
    aside = mdir / "rejected" / "20261206-110000"
    aside.mkdir(parents=True)
    (aside / "reason.txt").write_text("it knows no frames of 30 screen(s) the current model knows\n")
    models = {m.name: m for m in list_models(tmp_path)}
    assert models["trained"].in_use and not models["shipped"].in_use and models["trained"].screens == 2
    assert models["rejected/20261206-110000"].reason.startswith("it knows no frames of 30")
    moved = use_shipped(tmp_path)
    assert moved is not None and (tmp_path / moved / "banguinet.onnx").read_bytes() == b"trained"
    assert current_model(tmp_path) == DEFAULT_MODEL  # the scriptor's next start uses the shipped one
    models = {m.name: m for m in list_models(tmp_path)}
    assert models["shipped"].in_use and f"replaced/{Path(moved).name}" in models
    assert use_shipped(tmp_path) is None  # already the shipped one
