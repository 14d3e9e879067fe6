"""UIClassifier: frame -> screen state, through ONNX Runtime (no torch).

The answer is ``unknown`` when the calibrated probability is under the model's threshold,
when the rejection class wins, or when the frame's features are far from the training
screens of the state it would be given, in angle or in their spread (calibrate.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.recognition.common import promote as promotion
from services.recognition.ui.calibrate import Calibration
from services.recognition.ui.dataset import models_dir
from services.recognition.ui.labels import LABELS, UNKNOWN, UNKNOWN_ID
from services.recognition.ui.meta import ModelFileError
from services.recognition.ui.onnx_model import OnnxUINet
from services.recognition.ui.preprocess import Image, model_input, small, to_input

MODEL_NAME = "banguinet.onnx"
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / MODEL_NAME


def current_model(data_dir: Path | None) -> Path:
    """The model the training task kept in the data dir, else the shipped one."""
    if data_dir is None:
        return DEFAULT_MODEL
    return promotion.current_model(models_dir(data_dir), MODEL_NAME, DEFAULT_MODEL)


@dataclass(frozen=True)
class Prediction:
    state: str  # one of shared.screens.UI_STATES, or "unknown"
    confidence: float  # calibrated probability of the best state
    probs: dict[str, float]  # every label (the 34 states and "unknown") -> probability
    best: str = UNKNOWN  # the most probable state before rejection
    distance: float = 0.0  # cosine distance to that state's training centroid
    spread: float = 0.0  # Mahalanobis distance to it, over the model's limit (> 1: unknown)


class UIClassifier:
    def __init__(self, model: Path | None = None, threads: int = 1) -> None:
        self.net = OnnxUINet(Path(model) if model is not None else DEFAULT_MODEL, threads)
        self.meta = self.net.meta
        self.model_id = self.net.model_id
        try:
            self.calibration = Calibration.from_meta(self.meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{self.net.path}: calibration record unusable: {exc}") from exc

    def classify(self, frame: Image) -> Prediction:
        """A BGR frame of any size (720x1280 usually)."""
        return self.decide(*self.net(model_input(frame)))[0]

    def classify_small(self, smalls: Image) -> list[Prediction]:
        """Frames already at 90x160 (the dataset's copies), batched."""
        out: list[Prediction] = []
        for i in range(0, len(smalls), 256):
            out += self.decide(*self.net(to_input(smalls[i : i + 256])))
        return out

    def classify_many(self, frames: list[Image]) -> list[Prediction]:
        return self.classify_small(np.stack([small(f) for f in frames])) if frames else []

    def decide(self, logits: np.ndarray, feats: np.ndarray) -> list[Prediction]:
        cal = self.calibration
        probs = cal.probs(logits)
        ids = cal.decide(logits, feats)
        best = probs[:, :UNKNOWN_ID].argmax(1)
        dist = cal.distance(feats, best)
        spread = cal.mahalanobis(feats, best) / np.float32(cal.max_maha)
        preds = []
        for i, p in enumerate(probs):
            b = int(best[i])
            state = UNKNOWN if int(ids[i]) == UNKNOWN_ID else LABELS[int(ids[i])]
            preds.append(
                Prediction(
                    state,
                    float(p[b]),
                    {label: float(v) for label, v in zip(LABELS, p, strict=True)},
                    LABELS[b],
                    float(dist[i]),
                    float(spread[i]),
                )
            )
        return preds
