"""Confidence and rejection, as plain numpy (the torch-free classifier uses the same code):

- temperature scaling: one T fitted on the validation split so that softmax(logits / T)
  is calibrated (lowest negative log-likelihood; Guo et al. 2017);
- a probability threshold: below it the answer is ``unknown``;
- a feature-distance check: the pooled 256-d features of a frame must lie near the centroid
  of the state it is given (cosine distance at most ``max_dist``, set from the validation
  frames' own distances); a frame far from every training screen is ``unknown`` even when
  the softmax is sure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from services.recognition.ui.labels import LABELS, UNKNOWN_ID

F32 = npt.NDArray[np.float32]
THRESHOLD = 0.5  # calibrated probability below which a frame is unknown
DIST_MARGIN = 1.5  # max_dist = margin x the largest validation distance (quantile 0.995)
TEMPERATURES = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))


def softmax(z: F32) -> F32:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: F32 = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
    return out


def _nll(logits: F32, labels: npt.NDArray[np.int64], t: float) -> float:
    z = logits / t
    z = z - z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: F32, labels: npt.NDArray[np.int64]) -> float:
    if len(labels) == 0:
        return 1.0
    nll = [_nll(logits, labels, float(t)) for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(nll))])


def unit(x: F32) -> F32:
    out: F32 = (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)
    return out


@dataclass
class Calibration:
    temperature: float = 1.0
    threshold: float = THRESHOLD
    centroids: F32 | None = None  # (35, 256) unit vectors; zero rows for absent labels
    max_dist: float = 2.0  # 2 = no distance check

    def probs(self, logits: F32) -> F32:
        return softmax(logits / np.float32(self.temperature))

    def distance(self, feats: F32, ids: npt.NDArray[np.int64]) -> F32:
        if self.centroids is None:
            return np.zeros(len(ids), np.float32)
        out: F32 = (1.0 - (unit(feats) * self.centroids[ids]).sum(1)).astype(np.float32)
        return out

    def decide(self, logits: F32, feats: F32) -> npt.NDArray[np.int64]:
        """Class ids; UNKNOWN_ID where the probability is under the threshold or the
        features are too far from the chosen state's centroid."""
        p = self.probs(logits)
        ids = p.argmax(1)
        far = self.distance(feats, ids) > self.max_dist
        low = p[np.arange(len(ids)), ids] < self.threshold
        return np.where(far | low, UNKNOWN_ID, ids).astype(np.int64)

    def as_meta(self) -> dict[str, Any]:
        return {
            "temperature": round(self.temperature, 5),
            "threshold": self.threshold,
            "max_dist": round(self.max_dist, 5),
            "centroids": None if self.centroids is None else np.round(self.centroids, 5).tolist(),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Calibration:
        c = meta.get("centroids")
        cent = np.asarray(c, np.float32) if c is not None else None
        if cent is not None and (cent.ndim != 2 or cent.shape[0] != len(LABELS)):
            raise ValueError(f"centroids have shape {cent.shape}, expected ({len(LABELS)}, features)")
        return cls(float(meta["temperature"]), float(meta["threshold"]), cent, float(meta["max_dist"]))


def centroids(feats: F32, labels: npt.NDArray[np.int64]) -> F32:
    u = unit(feats)
    out = np.zeros((len(LABELS), feats.shape[1]), np.float32)
    for c in np.unique(labels):
        if c != UNKNOWN_ID:
            out[c] = u[labels == c].mean(0)
    return unit(out)


def calibrate(
    val_logits: F32,
    val_labels: npt.NDArray[np.int64],
    train_feats: F32,
    train_labels: npt.NDArray[np.int64],
    val_feats: F32,
) -> Calibration:
    cal = Calibration(fit_temperature(val_logits, val_labels))
    if len(train_feats) == 0:
        return cal
    cal.centroids = centroids(train_feats, train_labels)
    known = val_labels != UNKNOWN_ID
    if known.any():
        d = cal.distance(val_feats[known], val_labels[known])
    else:  # no validation frames: the training frames' own spread
        tk = train_labels != UNKNOWN_ID
        d = cal.distance(train_feats[tk], train_labels[tk])
    if len(d):
        cal.max_dist = float(min(2.0, max(0.02, DIST_MARGIN * float(np.quantile(d, 0.995)))))
    return cal
