"""Confidence and rejection, as plain numpy (the torch-free classifier uses the same code):

- temperature scaling: one T fitted on the validation split so that softmax(logits / T)
  is calibrated (lowest negative log-likelihood; Guo et al. 2017);
- a probability threshold: below it the answer is ``unknown``;
- a feature-distance check: the pooled 256-d features of a frame must lie near the centroid
  of the state it is given (cosine distance at most ``max_dist``, set from the validation
  frames' own distances); a frame far from every training screen is ``unknown`` even when
  the softmax is sure;
- a Mahalanobis check on the same (unit) features: the distance to the state's centroid
  measured in the known screens' own spread (one covariance shared by all states, shrunk
  towards its mean variance; Lee et al. 2018). A frame can be close in angle and still
  move along directions no known screen ever varies in; this is what rejects most of the
  unknown screens the cosine check lets through (docs/recognition.md).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from services.recognition.ui.labels import LABELS, UNKNOWN_ID

F32 = npt.NDArray[np.float32]
THRESHOLD = 0.5  # calibrated probability below which a frame is unknown
DIST_MARGIN = 1.5  # max_dist = margin x the largest validation distance (quantile 0.995)
MAHA_MARGIN = 1.1  # max_maha = margin x the largest calibration distance (quantile 0.999)
MAHA_QUANTILE = 0.999
SHRINK = 0.01  # covariance + SHRINK x mean variance x I: invertible with few frames
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
    whiten: F32 | None = None  # (D, D): Mahalanobis distance = |whiten @ (unit(f) - centroid)|
    max_maha: float = math.inf  # inf = no Mahalanobis check

    def probs(self, logits: F32) -> F32:
        return softmax(logits / np.float32(self.temperature))

    def distance(self, feats: F32, ids: npt.NDArray[np.int64]) -> F32:
        if self.centroids is None:
            return np.zeros(len(ids), np.float32)
        out: F32 = (1.0 - (unit(feats) * self.centroids[ids]).sum(1)).astype(np.float32)
        return out

    def mahalanobis(self, feats: F32, ids: npt.NDArray[np.int64]) -> F32:
        """Root-mean-square whitened distance to the centroid of ``ids`` (0 without a
        covariance record)."""
        if self.centroids is None or self.whiten is None:
            return np.zeros(len(ids), np.float32)
        z = (unit(feats) - self.centroids[ids]) @ self.whiten.T
        out: F32 = np.sqrt((z * z).mean(1)).astype(np.float32)
        return out

    def decide(self, logits: F32, feats: F32) -> npt.NDArray[np.int64]:
        """Class ids; UNKNOWN_ID where the probability is under the threshold or the
        features are too far from the chosen state's centroid (in angle or in the known
        screens' spread)."""
        p = self.probs(logits)
        ids = p.argmax(1)
        far = (self.distance(feats, ids) > self.max_dist) | (self.mahalanobis(feats, ids) > self.max_maha)
        low = p[np.arange(len(ids)), ids] < self.threshold
        return np.where(far | low, UNKNOWN_ID, ids).astype(np.int64)

    def as_meta(self) -> dict[str, Any]:
        return {
            "temperature": round(self.temperature, 5),
            "threshold": self.threshold,
            "max_dist": round(self.max_dist, 5),
            "centroids": None if self.centroids is None else np.round(self.centroids, 5).tolist(),
            "max_maha": None if math.isinf(self.max_maha) else round(self.max_maha, 5),
            "whiten": None if self.whiten is None else encode_matrix(self.whiten),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Calibration:
        c = meta.get("centroids")
        cent = np.asarray(c, np.float32) if c is not None else None
        if cent is not None and (cent.ndim != 2 or cent.shape[0] != len(LABELS)):
            raise ValueError(f"centroids have shape {cent.shape}, expected ({len(LABELS)}, features)")
        w = meta.get("whiten")
        whiten = decode_matrix(w) if w is not None else None
        if whiten is not None and (cent is None or whiten.shape != (cent.shape[1], cent.shape[1])):
            raise ValueError(f"whiten has shape {whiten.shape}, expected the features' square")
        m = meta.get("max_maha")
        return cls(
            float(meta["temperature"]),
            float(meta["threshold"]),
            cent,
            float(meta["max_dist"]),
            whiten,
            math.inf if m is None else float(m),
        )


def encode_matrix(m: F32) -> dict[str, Any]:
    """A matrix as float16 bytes in base64, over its largest magnitude (float16 ends at
    65504; whitening entries can exceed it): a 256x256 one is 170 KB of text instead of the
    ~650 KB a JSON list of decimals takes (the model files must stay small)."""
    scale = float(np.abs(m).max()) or 1.0
    return {
        "dtype": "float16",
        "shape": list(m.shape),
        "scale": scale,
        "b64": base64.b64encode((m / scale).astype("<f2").tobytes()).decode(),
    }


def decode_matrix(rec: Any) -> F32:
    if not isinstance(rec, dict) or rec.get("dtype") != "float16":
        raise ValueError("matrix record is not {dtype: float16, shape, scale, b64}")
    shape = tuple(int(v) for v in rec["shape"])
    raw = np.frombuffer(base64.b64decode(rec["b64"]), "<f2")
    if raw.size != math.prod(shape):
        raise ValueError(f"matrix record has {raw.size} values, shape {shape} needs {math.prod(shape)}")
    out: F32 = (raw.reshape(shape).astype(np.float32) * np.float32(rec.get("scale", 1.0))).astype(np.float32)
    if not np.isfinite(out).all():
        raise ValueError("matrix record holds values that are not finite")
    return out


def centroids(feats: F32, labels: npt.NDArray[np.int64]) -> F32:
    u = unit(feats)
    out = np.zeros((len(LABELS), feats.shape[1]), np.float32)
    for c in np.unique(labels):
        if c != UNKNOWN_ID:
            out[c] = u[labels == c].mean(0)
    return unit(out)


def whitening(feats: F32, labels: npt.NDArray[np.int64], cents: F32) -> F32 | None:
    """W with |W r|^2 / D = r^T (S + s I)^-1 r / D for the shared within-state covariance
    S of the known frames' unit features (r = the residual to their state's centroid)."""
    known = labels != UNKNOWN_ID
    if known.sum() < 2:
        return None
    r = (unit(feats[known]) - cents[labels[known]]).astype(np.float64)
    cov = r.T @ r / len(r)
    cov += SHRINK * max(float(np.trace(cov)) / len(cov), 1e-8) * np.eye(len(cov))
    vals, vecs = np.linalg.eigh(cov)
    out: F32 = (vecs / np.sqrt(np.maximum(vals, 1e-12))).T.astype(np.float32)
    return out


def maha_limit(d: F32) -> float:
    return float(MAHA_MARGIN * float(np.quantile(d, MAHA_QUANTILE)))


def refit(cal: Calibration, feats: F32, labels: npt.NDArray[np.int64]) -> None:
    """The centroids and the covariance from these frames' features."""
    cal.centroids = centroids(feats, labels)
    cal.whiten = whitening(feats, labels, cal.centroids)


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
    refit(cal, train_feats, train_labels)
    known = val_labels != UNKNOWN_ID
    # The limits come from the validation frames' own distances; without any, from the
    # training frames' (tighter: they made the centroids).
    feats, labels = (val_feats[known], val_labels[known]) if known.any() else (train_feats, train_labels)
    feats, labels = feats[labels != UNKNOWN_ID], labels[labels != UNKNOWN_ID]
    set_limits(cal, feats, labels)
    return cal


def set_limits(cal: Calibration, feats: F32, labels: npt.NDArray[np.int64]) -> None:
    """max_dist and max_maha from frames of known screens (their own state's distances)."""
    if not len(labels):
        return
    d = cal.distance(feats, labels)
    cal.max_dist = float(min(2.0, max(0.02, DIST_MARGIN * float(np.quantile(d, 0.995)))))
    if cal.whiten is not None:
        cal.max_maha = maha_limit(cal.mahalanobis(feats, labels))
