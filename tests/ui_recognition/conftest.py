"""A tiny BangUINet trained once per session on synthetic screens of a few states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from services.recognition.ui.labels import LABEL_ID
from services.recognition.ui.preprocess import Image, small
from services.testing import model_cache
from services.testing.stack import Stack, start_stack
from tests.conftest import free_port
from tests.ui_recognition.synthetic import layout_frame

STATES = ["main_page", "ready", "playing", "award_score"]


@dataclass
class Tiny:
    dir: Path  # banguinet.onnx / .pt / .json
    result: object  # the TrainResult
    test_images: Image  # fresh frames of STATES, 90x160
    test_labels: np.ndarray


def frames(states: list[str], per: int, seed: int) -> tuple[Image, np.ndarray]:
    rng = np.random.default_rng(seed)
    imgs = np.stack([small(layout_frame(s, rng)) for s in states for _ in range(per)])
    return imgs, np.array([LABEL_ID[s] for s in states for _ in range(per)], np.int64)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Tiny:
    """Kept between runs with its TrainResult (services/testing/model_cache.py) until the
    recognition code or the frames change."""
    import torch

    from services.recognition.ui.pipeline import train_dataset
    from services.recognition.ui.train import TrainOptions

    imgs, labels = frames(STATES, 6, seed=0)
    # max_repeats=1: one pass over the 24 frames an epoch, as before the few-frames recipe
    # (this session fixture stays seconds long).
    opts = TrainOptions(
        epochs=14, batch_size=8, lr=0.01, width_mult=0.25, val_copies=2, threads=1, max_repeats=1
    )

    def build(d: Path) -> None:
        result = train_dataset(imgs, labels, d / "model", opts, log=lambda _m: None)
        torch.save(result, d / "result.pt")

    key = model_cache.digest(*model_cache.TRAINING_CODE, imgs.tobytes(), labels.tobytes(), repr(opts))
    out = model_cache.cached_build("ui-tiny", key, build, tmp_path_factory.mktemp("tiny_ui_model"))
    result = torch.load(out / "result.pt", weights_only=False)  # our own file, not a download
    test_images, test_labels = frames(STATES, 3, seed=1)
    return Tiny(out / "model", result, test_images, test_labels)


@pytest.fixture(scope="module")
def real_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product with the ui_recognition module's own task bodies (the shared ``stack``
    runs the platform suites' test bodies)."""
    s = start_stack(tmp_path_factory.mktemp("ui_stack") / "data", free_port(), test_bodies=False)
    yield s
    s.stop()
