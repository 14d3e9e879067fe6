"""A frame's description for the screen gallery, from one pass of the shipped network.

Two views, each a unit vector, joined with weights (so the cosine distance of two
descriptions is the weighted sum of the two views' distances):

- the network's features before pooling (``grid``: 256 x 3 x 5, where on the screen each
  feature is), or the pooled features for a model exported without that output;
- a 32x18 colour thumbnail with its mean taken out: the layout as a template pack sees it,
  which holds for screens of a look the network never learnt (other palettes and layouts:
  scripts/bench_ui_gallery.py measures each view alone and joined, docs/recognition.md).

Beside it, the frame's layout (``layouts``): a 64x36 colour thumbnail in units of its own
pixel spread, which the gallery compares pixel by pixel where a state's frames hold steady
(gallery.py): the sibling screens of a family differ only by a button row or a dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.ui.calibrate import unit
from services.recognition.ui.classifier import Prediction, UIClassifier
from services.recognition.ui.preprocess import Image, small, to_input

F32 = npt.NDArray[np.float32]
THUMB = (32, 18)  # width, height
THUMB_WEIGHT = 0.3  # share of the distance from the thumbnail (the rest from the network)
LAYOUT = (64, 36)  # width, height: a button of the real game (~110x40 px at 1280x720) is ~5x2
BATCH = 128


@dataclass(frozen=True)
class Embedded:
    predictions: list[Prediction]  # the trained classifier's answers, from the same pass
    descriptors: F32  # (N, D) unit rows for the gallery
    layouts: F32  # (N, L) the frames' layouts (``layouts``)


def thumbnails(smalls: Image) -> F32:
    t = np.stack([cv2.resize(s, THUMB, interpolation=cv2.INTER_AREA) for s in smalls]).astype(np.float32)
    flat = t.reshape(len(t), -1)
    return unit(flat - flat.mean(1, keepdims=True))


def layouts(smalls: Image) -> F32:
    """(N, 64*36*3): each frame's 64x36 thumbnail, its mean taken out and divided by its spread
    (a brighter or darker capture of a screen has the same layout)."""
    t = np.stack([cv2.resize(s, LAYOUT, interpolation=cv2.INTER_AREA) for s in smalls]).astype(np.float32)
    flat = t.reshape(len(t), -1)
    flat = flat - flat.mean(1, keepdims=True)
    return np.ascontiguousarray(flat / (flat.std(1, keepdims=True) + np.float32(1e-3)), dtype=np.float32)


def describe(net_view: F32, smalls: Image) -> F32:
    a = unit(net_view.reshape(len(net_view), -1)) * np.float32(np.sqrt(1.0 - THUMB_WEIGHT))
    b = thumbnails(smalls) * np.float32(np.sqrt(THUMB_WEIGHT))
    return np.ascontiguousarray(np.concatenate([a, b], 1), dtype=np.float32)


class Embedder:
    """The classifier's network run once per frame for both the trained classifier's
    answer and the gallery's description."""

    def __init__(self, classifier: UIClassifier) -> None:
        self.classifier = classifier
        self.model_id = classifier.model_id
        self.view = "grid" if classifier.net.has_grid else "features"

    @classmethod
    def load(cls, model: Path) -> Embedder:
        return cls(UIClassifier(model))

    def small_batch(self, smalls: Image) -> Embedded:
        preds: list[Prediction] = []
        descs: list[F32] = []
        lays: list[F32] = []
        for i in range(0, len(smalls), BATCH):
            part = smalls[i : i + BATCH]
            out = self.classifier.net.run_all(to_input(part))
            preds += self.classifier.decide(out["logits"], out["features"])
            descs.append(describe(out[self.view], part))
            lays.append(layouts(part))
        none = np.zeros((0, 0), np.float32)
        return Embedded(
            preds, np.concatenate(descs) if descs else none, np.concatenate(lays) if lays else none
        )

    def frames(self, frames: list[Image]) -> Embedded:
        return (
            self.small_batch(np.stack([small(f) for f in frames]))
            if frames
            else Embedded([], np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32))
        )

    def frame(self, frame: Image) -> tuple[Prediction, F32]:
        e = self.small_batch(small(frame)[None])
        return e.predictions[0], e.descriptors[0]
