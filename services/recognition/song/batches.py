"""On-the-fly training batches (the user's BatchMaker) and the triplet miner.

Batches are built from whole numpy arrays (one perturb call, one percentile
normalisation, one threshold per batch); per-image Python work is what made the user's
batches take 7 s."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.recognition.song.augment import TRAIN, Perturb, perturb
from services.recognition.song.preprocess import (
    INFER_THRESHOLD,
    TRAIN_THRESHOLDS,
    binarize,
    normalize_levels,
)


@dataclass
class Batch:
    x: npt.NDArray[np.float32]  # (N, 1, 36, 450) model input
    labels: npt.NDArray[np.int64]  # class index per sample
    is_clean: npt.NDArray[np.bool_]  # the class's clean (threshold 160, unperturbed) image


class BatchMaker:
    """Yields batches of ``classes_per_batch`` classes, each class as one sample per
    threshold (ArcFace: the user's 5 thresholds) or as ``a`` augmented copies plus its clean
    image (triplet). Classes are reshuffled every epoch."""

    def __init__(
        self,
        images: npt.NDArray[np.uint8],
        classes_per_batch: int = 32,
        *,
        thresholds: Sequence[int] = TRAIN_THRESHOLDS,
        augment: Perturb | None = TRAIN,
        seed: int = 0,
    ) -> None:
        if len(images) < 2:
            raise ValueError("training needs at least 2 titles")
        self.images = images
        self.k = min(classes_per_batch, len(images))
        self.thresholds = np.asarray(thresholds, dtype=np.float32)
        self.augment = augment
        self.rng = np.random.default_rng(seed)
        self._order: list[int] = []

    def _take_classes(self) -> npt.NDArray[np.int64]:
        if len(self._order) < self.k:
            self._order += list(self.rng.permutation(len(self.images)))
        take, self._order = self._order[: self.k], self._order[self.k :]
        return np.asarray(take, dtype=np.int64)

    def _render(
        self, cls: npt.NDArray[np.int64], thresholds: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        raw = self.images[cls]
        if self.augment is not None:
            raw = perturb(raw, self.augment, self.rng)
        norm, _ = normalize_levels(raw)
        return binarize(norm, thresholds)[:, None]

    def arcface_batch(self) -> Batch:
        """classes x thresholds samples: every class at every threshold."""
        cls = self._take_classes()
        per = len(self.thresholds)
        labels = np.repeat(cls, per)
        x = self._render(labels, np.tile(self.thresholds, len(cls)))
        return Batch(x, labels, np.zeros(len(labels), dtype=bool))

    def triplet_batch(self, copies: int) -> Batch:
        """t classes x (1 clean + ``copies`` augmented) samples; clean ones come first."""
        cls = self._take_classes()
        clean_norm, _ = normalize_levels(self.images[cls])
        clean = binarize(clean_norm, INFER_THRESHOLD)[:, None]
        labels = np.repeat(cls, copies)
        th = self.rng.choice(self.thresholds, size=len(labels)).astype(np.float32)
        aug = self._render(labels, th)
        x = np.concatenate([clean, aug])
        all_labels = np.concatenate([cls, labels])
        is_clean = np.concatenate([np.ones(len(cls), bool), np.zeros(len(labels), bool)])
        return Batch(x, all_labels, is_clean)

    def batches(self, n: int, kind: str, copies: int = 4) -> Iterator[Batch]:
        for _ in range(n):
            yield self.arcface_batch() if kind == "arcface" else self.triplet_batch(copies)


def triplet_indices(
    emb: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], is_clean: npt.NDArray[np.bool_], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The user's semi-hard mining, vectorised. For every augmented sample (anchor): the
    positive is its class's clean image; negatives are the k nearest samples of other
    classes that are farther than the positive; when fewer than k exist, the nearest other
    ones fill up. Returns (anchor, positive, negative) index arrays of length anchors*k."""
    d = np.sqrt(np.maximum(2.0 - 2.0 * emb @ emb.T, 0.0))
    clean_of = {int(labels[i]): i for i in np.flatnonzero(is_clean)}
    anchors = np.flatnonzero(~is_clean)
    pos = np.array([clean_of[int(labels[a])] for a in anchors], dtype=np.int64)
    d_ap = d[anchors, pos]
    da = d[anchors]  # (A, N)
    other = labels[None, :] != labels[anchors][:, None]
    k = min(k, int(other.sum(1).min()))
    big = np.float32(1e9)
    semi = np.where(other & (da > d_ap[:, None]), da, big)
    # Order: semi-hard ones by distance, then the remaining others by distance.
    key = np.where(semi < big, semi, np.where(other, da + 4.0, big))
    neg = np.argsort(key, axis=1, kind="stable")[:, :k]
    return np.repeat(anchors, k), np.repeat(pos, k), neg.reshape(-1).astype(np.int64)
