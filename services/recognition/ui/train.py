"""Training BangUINet on CPU: stratified validation split, class-weighted cross-entropy,
augmentation harder than capture, generated unknowns for the rejection class, the best
epoch kept, then calibration (temperature, centroids, covariance, rejection limits) on
capture-like copies of the frames: limits set on the harder training augmentation let
through what a capture never looks like (docs/recognition.md)."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from services.recognition.ui.augment import CAPTURE, TRAIN, Strength, augment, augment_batch, mix_same_screen
from services.recognition.ui.bangui_net import BangUINet
from services.recognition.ui.calibrate import Calibration, calibrate
from services.recognition.ui.labels import LABELS, UNKNOWN_ID
from services.recognition.ui.meta import base_meta
from services.recognition.ui.preprocess import Image, to_input
from services.recognition.ui.unknowns import synthetic_unknowns

FIT_COPIES = 2  # capture-like copies of each training frame for the centroids and covariance
CAL_COPIES = 3  # capture-like copies of each validation frame: temperature and limits
CHECK_COPIES = 2  # another draw of them: the new-versus-old comparison and the confusion matrix


@dataclass
class TrainOptions:
    epochs: int = 20
    batch_size: int = 64
    lr: float = 0.003  # AdamW peak (warm-up, cosine decay)
    weight_decay: float = 1e-4
    width_mult: float = 0.5  # from scratch; full width is 2-3x slower per step on CPU (docs/recognition.md)
    val_fraction: float = 0.2
    unknown_fraction: float = 0.3  # generated unknowns, as a share of the known training frames
    val_copies: int = 2  # perturbed copies of each validation frame
    threads: int = 1  # leaves the second core to the rest of the stack (and is faster under load)
    seed: int = 0
    # An epoch draws at least this many samples, each frame as often as the others and
    # augmented anew each time: ten frames a screen are otherwise a few steps an epoch, and
    # the best epoch was still the last one (docs/recognition.md, the trained path); but each
    # frame at most max_repeats times (a handful of frames: an epoch stays a few steps).
    min_epoch_samples: int = 1024
    max_repeats: int = 12
    mix_fraction: float = 0.5  # of the known screens' samples: mixed with a frame of the same screen


@dataclass
class EpochInfo:
    epoch: int
    epochs: int
    loss: float
    val_acc: float
    lr: float
    elapsed_s: float
    eta_s: float


@dataclass
class TrainResult:
    model: BangUINet
    meta: dict[str, Any]
    best_epoch: int
    val_acc: float
    confusion: npt.NDArray[np.int64]  # (35, 35) true x the classifier's answer, on check_images
    # Capture-like copies of the validation frames (a draw apart from the calibration's) and
    # generated unknowns: what the task compares the new and the current model on.
    check_images: Image
    check_labels: npt.NDArray[np.int64]
    history: list[dict[str, float]] = field(default_factory=list)


@dataclass
class Split:
    train: npt.NDArray[np.int64]
    val: npt.NDArray[np.int64]
    sources: npt.NDArray[np.int64]  # validation_sources: the frames whose copies validate


def stratified_split(
    labels: npt.NDArray[np.int64], fraction: float, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(train, val) indices with ``fraction`` of every label in val; a label with a single
    frame stays in training only."""
    train: list[int] = []
    val: list[int] = []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = round(fraction * len(idx)) if len(idx) >= 2 else 0
        k = min(max(k, 1 if len(idx) >= 2 else 0), len(idx) - 1)
        val += idx[:k].tolist()
        train += idx[k:].tolist()
    return np.asarray(train, np.int64), np.asarray(val, np.int64)


def validation_sources(
    labels: npt.NDArray[np.int64], train: npt.NDArray[np.int64], val: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The frames whose perturbed copies validate: the split's, plus the training frames of
    labels that have none in it (a label with a single frame), else the best epoch would be
    chosen and the rejection limits set without those labels."""
    alone = train[~np.isin(labels[train], labels[val])]
    return np.concatenate([val, alone]).astype(np.int64)


def split_dataset(labels: npt.NDArray[np.int64], fraction: float, rng: np.random.Generator) -> Split:
    tr, va = stratified_split(labels, fraction, rng)
    return Split(tr, va, validation_sources(labels, tr, va))


def known_frames(images: Image, labels: npt.NDArray[np.int64], split: Split) -> Image:
    """The training frames of known screens (what derived unknowns are made from)."""
    out: Image = images[split.train][labels[split.train] != UNKNOWN_ID]
    return out


def validation_unknowns(n: int, seed: int, known: Image) -> Image:
    """The fixed generated unknowns of the validation and calibration sets."""
    return synthetic_unknowns(n, np.random.default_rng(seed), known)


def capture_copies(
    images: Image, labels: npt.NDArray[np.int64], copies: int, rng: np.random.Generator, s: Strength = CAPTURE
) -> tuple[Image, npt.NDArray[np.int64]]:
    if copies < 1 or not len(images):
        return images[:0], labels[:0]
    return np.concatenate([augment_batch(images, rng, s) for _ in range(copies)]), np.tile(labels, copies)


def calibrate_model(
    model: BangUINet,
    images: Image,
    labels: npt.NDArray[np.int64],
    split: Split,
    unknowns: Image,
    seed: int,
    strength: Strength = CAPTURE,
) -> Calibration:
    """Temperature (on capture-like validation copies plus the generated unknowns),
    centroids and covariance (the training frames plus capture-like copies: a capture's
    spread, which one frame per label alone would not show) and the rejection limits (the
    validation copies' own distances). ``strength`` is there for the benchmark, which
    compares these limits with limits set on the training augmentation."""
    rng = np.random.default_rng(seed + 3)
    tr = split.train
    fit_imgs, fit_labels = capture_copies(images[tr], labels[tr], FIT_COPIES, rng, strength)
    _, fit_feats = forward_all(model, np.concatenate([images[tr], fit_imgs]))
    # A label with a single frame is validated on copies of the frame it trained on, which
    # the network places nearer than an unseen capture: those copies are augmented as
    # training augments, so its limits are not set by its own training frame.
    seen = split.sources[~np.isin(split.sources, split.val)]
    cal_imgs, cal_labels = capture_copies(images[split.val], labels[split.val], CAL_COPIES, rng, strength)
    seen_imgs, seen_labels = capture_copies(images[seen], labels[seen], CAL_COPIES, rng, TRAIN)
    cal_imgs, cal_labels = np.concatenate([cal_imgs, seen_imgs]), np.concatenate([cal_labels, seen_labels])
    logits, feats = forward_all(model, np.concatenate([cal_imgs, unknowns]))
    cal_labels = np.concatenate([cal_labels, np.full(len(unknowns), UNKNOWN_ID)])
    return calibrate(logits, cal_labels, fit_feats, np.concatenate([labels[tr], fit_labels]), feats)


def class_weights(labels: npt.NDArray[np.int64], n: int = len(LABELS)) -> npt.NDArray[np.float32]:
    """Inverse frequency, mean 1 over the labels present; absent labels weigh 0."""
    counts = np.bincount(labels, minlength=n).astype(np.float64)
    w = np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)
    w *= (counts > 0).sum() / w.sum()
    return w.astype(np.float32)


def forward_all(
    model: BangUINet, imgs: Image, batch: int = 128
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(logits, features) in eval mode."""
    model.eval()
    logits, feats = [], []
    with torch.no_grad():
        for i in range(0, len(imgs), batch):
            lo, fe = model.embed(torch.from_numpy(to_input(imgs[i : i + batch])))
            logits.append(lo.numpy())
            feats.append(fe.numpy())
    if not logits:
        return np.zeros((0, len(LABELS)), np.float32), np.zeros((0, 0), np.float32)
    return np.concatenate(logits), np.concatenate(feats)


def epoch_samples(n_train: int, opts: TrainOptions) -> int:
    """Samples an epoch draws from ``n_train`` frames (TrainOptions.min_epoch_samples)."""
    return max(n_train, min(opts.min_epoch_samples, opts.max_repeats * n_train))


def same_screen_frames(labels: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    """For each training frame, the other training frames of its screen (none for the
    ``unknown`` label: two unlike unknown screens mixed are no screen's frame either)."""
    by_label = {int(c): np.flatnonzero(labels == c) for c in np.unique(labels) if c != UNKNOWN_ID}
    mine = [by_label.get(int(c), np.zeros(0, np.int64)) for c in labels]
    return [m[m != i] for i, m in enumerate(mine)]


def sample(
    pool: Image, i: int, same: list[npt.NDArray[np.int64]], mix: float, rng: np.random.Generator
) -> Image:
    """Frame ``i`` of the epoch's pool (the training frames, then generated unknowns), mixed
    with another frame of its screen with probability ``mix`` (augment.mix_same_screen)."""
    if i < len(same) and len(same[i]) and rng.random() < mix:
        return mix_same_screen(pool[i], pool[int(rng.choice(same[i]))], rng)
    img: Image = pool[i]
    return img


def recompute_bn(
    model: BangUINet, pool: Image, rng: np.random.Generator, batches: int = 4, size: int = 64
) -> None:
    """Re-estimate BatchNorm's running statistics as plain averages over a few augmented
    training batches: with few steps per epoch the momentum averages lag the weights and the
    eval-mode model answers one class for everything (the song module saw the same)."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for _ in range(min(batches, math.ceil(len(pool) / size))):
            idx = rng.choice(len(pool), size=min(size, len(pool)), replace=False)
            model(torch.from_numpy(to_input(np.stack([augment(pool[i], rng) for i in idx]))))
    for m, mom in zip(bns, saved, strict=True):
        m.momentum = mom
    model.eval()


def confusion(
    true: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], n: int = len(LABELS)
) -> npt.NDArray[np.int64]:
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (true, pred), 1)
    return m


def train(
    images: Image,
    labels: npt.NDArray[np.int64],
    opts: TrainOptions,
    *,
    init: BangUINet | None = None,
    on_epoch: Callable[[EpochInfo], None] | None = None,
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Train on (N, 90, 160, 3) frames with label ids; returns the best epoch's model,
    calibrated (meta carries temperature, threshold, centroids)."""
    if len(images) == 0:
        raise ValueError("no frames to train on")
    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    rng = np.random.default_rng(opts.seed)
    split = split_dataset(labels, opts.val_fraction, rng)
    tr, va_src = split.train, split.sources
    known_train = known_frames(images, labels, split)
    n_unk = max(8, int(opts.unknown_fraction * len(known_train)))
    # Generated unknowns: a fixed validation set, fresh training ones every epoch.
    val_unk = validation_unknowns(max(4, n_unk // 4), opts.seed + 1, known_train)
    vrng = np.random.default_rng(opts.seed + 2)
    # The best epoch is chosen on copies augmented as training augments (the harder test);
    # the calibration and the comparison use capture-like copies (calibrate_model).
    val_imgs = np.concatenate(
        [augment_batch(images[va_src], vrng) for _ in range(opts.val_copies)] + [val_unk]
    )
    val_labels = np.concatenate([np.tile(labels[va_src], opts.val_copies), np.full(len(val_unk), UNKNOWN_ID)])
    train_labels = np.concatenate([labels[tr], np.full(n_unk, UNKNOWN_ID)])
    weights = torch.from_numpy(class_weights(train_labels))

    model = copy.deepcopy(init) if init is not None else BangUINet(width_mult=opts.width_mult)
    opt = torch.optim.AdamW(model.parameters(), lr=opts.lr, weight_decay=opts.weight_decay)
    n_train = len(train_labels)
    n_draw = epoch_samples(n_train, opts)
    steps_per_epoch = max(1, math.ceil(n_draw / opts.batch_size))
    same = same_screen_frames(labels[tr])
    total = opts.epochs * steps_per_epoch
    warm = max(1, int(0.05 * total))

    def lr_at(step: int) -> float:
        if step < warm:
            return opts.lr * (step + 1) / warm
        return opts.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    best_state: dict[str, torch.Tensor] = copy.deepcopy(model.state_dict())
    best_acc, best_loss, best_epoch = -1.0, math.inf, 0
    history: list[dict[str, float]] = []
    t0 = time.perf_counter()
    step = 0
    for epoch in range(1, opts.epochs + 1):
        unk = synthetic_unknowns(n_unk, rng, known_train)
        pool = np.concatenate([images[tr], unk])
        rounds = math.ceil(n_draw / n_train)
        order = np.concatenate([rng.permutation(n_train) for _ in range(rounds)])[:n_draw]
        model.train()
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * opts.batch_size : (b + 1) * opts.batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            batch = [sample(pool, int(i), same, opts.mix_fraction, rng) for i in idx]
            x = torch.from_numpy(to_input(np.stack([augment(f, rng) for f in batch])))
            y = torch.from_numpy(train_labels[idx])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            loss = F.cross_entropy(model(x), y, weight=weights, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            losses.append(float(loss.detach()))
            step += 1
        recompute_bn(model, pool, rng)
        logits, _ = forward_all(model, val_imgs)
        val_loss = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(val_labels)))
        val_acc = float((logits.argmax(1) == val_labels).mean())
        mean_loss = float(np.mean(losses)) if losses else math.nan
        history.append({"epoch": epoch, "loss": mean_loss, "val_loss": val_loss, "val_acc": val_acc})
        if val_acc > best_acc or (val_acc == best_acc and val_loss < best_loss):
            best_acc, best_loss, best_epoch = val_acc, val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
        elapsed = time.perf_counter() - t0
        if on_epoch is not None:
            on_epoch(
                EpochInfo(
                    epoch,
                    opts.epochs,
                    mean_loss,
                    val_acc,
                    lr_at(max(0, step - 1)),
                    elapsed,
                    elapsed / epoch * (opts.epochs - epoch),
                )
            )
    model.load_state_dict(best_state)
    model.eval()
    log(f"best epoch {best_epoch}: validation accuracy {best_acc:.4f}")
    cal = calibrate_model(model, images, labels, split, val_unk, opts.seed)
    crng = np.random.default_rng(opts.seed + 4)
    check_imgs, check_labels = capture_copies(images[va_src], labels[va_src], CHECK_COPIES, crng)
    check_unk = validation_unknowns(len(val_unk), opts.seed + 5, known_train)
    check_imgs = np.concatenate([check_imgs, check_unk])
    check_labels = np.concatenate([check_labels, np.full(len(check_unk), UNKNOWN_ID)])
    pred = cal.decide(*forward_all(model, check_imgs))
    meta = (
        base_meta()
        | {
            "width_mult": model.width_mult,
            "train_counts": {
                LABELS[int(c)]: int(n)
                for c, n in zip(*np.unique(labels[tr], return_counts=True), strict=True)
            },
            "val_frames": len(val_labels),
            "calibration": f"{CAL_COPIES} capture-like copies per validation frame, {len(val_unk)} unknowns",
            "best_epoch": best_epoch,
            "val_acc": round(best_acc, 5),
            "train_seconds": round(time.perf_counter() - t0, 1),
            "options": {k: v for k, v in vars(opts).items()},
        }
        | cal.as_meta()
    )
    return TrainResult(
        model, meta, best_epoch, best_acc, confusion(check_labels, pred), check_imgs, check_labels, history
    )
