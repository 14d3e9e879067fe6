"""Training TitleNet with ArcFace or the triplet loss, on CPU, from a folder of crops.

The recipe that converges (docs/recognition.md explains the user's plateau):
- ArcFace with AdaCos's fixed scale s = sqrt(2) ln(C-1) instead of 64, and the margin
  ramped 0 -> 0.5 over the first 30% of steps;
- AdamW, linear warm-up then cosine decay;
- BatchNorm statistics re-estimated from training batches before any eval-mode use.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from services.recognition.song.augment import TRAIN, USER, perturb
from services.recognition.song.batches import BatchMaker, triplet_indices
from services.recognition.song.losses import ArcFace, triplet_loss
from services.recognition.song.meta import base_meta
from services.recognition.song.preprocess import TRAIN_THRESHOLDS, TRIPLET_THRESHOLDS, model_input
from services.recognition.song.titlenet import TitleNet


@dataclass
class TrainOptions:
    loss: str = "arcface"  # or "triplet"
    epochs: int = 20
    num_batches: int = 32
    classes_per_batch: int = 32
    lr: float = 0.003
    weight_decay: float = 5e-4
    margin: float | None = None  # default: 0.5 ArcFace, 0.2 triplet
    scale: float | None = None  # ArcFace; None = AdaCos fixed scale
    margin_warmup: float = 0.3  # fraction of steps to ramp the ArcFace margin
    warmup: float = 0.05  # fraction of steps of linear lr warm-up
    copies: int = 4  # triplet: augmented copies per class (a)
    negatives: int = 4  # triplet: negatives per anchor (k)
    augment: bool = True  # shifts/noise/scale/blur on top of the user's thresholds
    bn_batches: int = 20
    threads: int = 2
    seed: int = 0

    @property
    def steps(self) -> int:
        return self.epochs * self.num_batches


@dataclass
class StepInfo:
    step: int
    total: int
    loss: float
    lr: float
    elapsed_s: float
    eta_s: float
    margin: float


@dataclass
class TrainResult:
    model: TitleNet
    criterion: torch.nn.Module | None
    history: list[dict[str, float]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def holdout_ids(ids: Sequence[int], fraction: float = 0.15) -> set[int]:
    """Titles kept out of training (by a hash of the id: stable when songs are added)."""
    cut = int(fraction * 1000)
    return {i for i in ids if int(hashlib.sha256(str(i).encode()).hexdigest(), 16) % 1000 < cut}


def embed_torch(model: TitleNet, x: npt.NDArray[np.float32], batch: int = 256) -> npt.NDArray[np.float32]:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(model(torch.from_numpy(x[i : i + batch])).numpy())
    return np.concatenate(out).astype(np.float32)


def recalibrate_bn(model: TitleNet, maker: BatchMaker, n_batches: int, kind: str) -> None:
    """Re-estimate BatchNorm running statistics with the final weights (cumulative mean
    over ``n_batches`` training batches), so eval mode matches what training optimised."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for b in maker.batches(n_batches, kind):
            model(torch.from_numpy(b.x))
    for m, mom in zip(bns, saved, strict=True):
        m.momentum = mom
    model.eval()


def probe_accuracy(model: TitleNet, images: npt.NDArray[np.uint8], seed: int = 1) -> float:
    """Top-1 of USER-perturbed queries against the clean crops of the same titles."""
    rng = np.random.default_rng(seed)
    g = embed_torch(model, model_input(images)[0])
    q = embed_torch(model, model_input(perturb(images, USER, rng))[0])
    return float(np.mean((q @ g.T).argmax(1) == np.arange(len(images))))


def train(
    images: npt.NDArray[np.uint8],
    opts: TrainOptions,
    *,
    init: TitleNet | None = None,
    on_step: Callable[[StepInfo], None] | None = None,
    on_probe: Callable[[int, float], None] | None = None,
    probe_images: npt.NDArray[np.uint8] | None = None,
    probe_every: int = 0,
) -> TrainResult:
    """Train on ``images`` (one clean crop per class). ``on_step`` may raise to stop."""
    torch.manual_seed(opts.seed)
    torch.set_num_threads(max(1, opts.threads))
    kind = "arcface" if opts.loss.lower() == "arcface" else "triplet"
    model = init if init is not None else TitleNet()
    thresholds = TRAIN_THRESHOLDS if kind == "arcface" else TRIPLET_THRESHOLDS
    maker = BatchMaker(
        images,
        opts.classes_per_batch,
        thresholds=thresholds,
        augment=TRAIN if opts.augment else None,
        seed=opts.seed,
    )
    criterion: ArcFace | None = None
    params = list(model.parameters())
    margin = opts.margin if opts.margin is not None else (0.5 if kind == "arcface" else 0.2)
    if kind == "arcface":
        criterion = ArcFace(model.embed_dim, len(images), opts.scale, margin)
        params += list(criterion.parameters())
    optim = torch.optim.AdamW(params, lr=opts.lr, weight_decay=opts.weight_decay)
    total = opts.steps
    warm = max(1, int(opts.warmup * total))

    def lr_at(step: int) -> float:
        if step < warm:
            return opts.lr * (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return opts.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t)))

    history: list[dict[str, float]] = []
    start = time.monotonic()
    for step in range(total):
        lr = lr_at(step)
        for g in optim.param_groups:
            g["lr"] = lr
        model.train()
        if kind == "arcface":
            assert criterion is not None
            b = maker.arcface_batch()
            m = (
                margin * min(1.0, (step + 1) / max(1.0, opts.margin_warmup * total))
                if opts.margin_warmup
                else margin
            )
            emb = model(torch.from_numpy(b.x))
            loss = criterion(emb, torch.from_numpy(b.labels), m)
        else:
            m = margin
            b = maker.triplet_batch(opts.copies)
            emb = model(torch.from_numpy(b.x))
            a, p, n = triplet_indices(emb.detach().numpy(), b.labels, b.is_clean, opts.negatives)
            loss = triplet_loss(emb, torch.from_numpy(a), torch.from_numpy(p), torch.from_numpy(n), margin)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        optim.step()
        elapsed = time.monotonic() - start
        info = StepInfo(
            step + 1, total, float(loss.item()), lr, elapsed, elapsed / (step + 1) * (total - step - 1), m
        )
        history.append({"step": step + 1, "loss": info.loss, "lr": lr, "margin": m})
        if on_step is not None:
            on_step(info)
        if (
            probe_every
            and probe_images is not None
            and on_probe is not None
            and (step + 1) % probe_every == 0
        ):
            state = {k: v.clone() for k, v in model.state_dict().items()}
            recalibrate_bn(model, maker, 8, kind)
            on_probe(step + 1, probe_accuracy(model, probe_images))
            model.load_state_dict(state)  # the probe must not change the training run
    recalibrate_bn(model, maker, opts.bn_batches, kind)
    meta = base_meta() | {
        "loss": kind,
        "margin": margin,
        "scale": criterion.scale if criterion is not None else None,
        "classes": len(images),
        "options": asdict(opts),
        "train_seconds": round(time.monotonic() - start, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return TrainResult(model, criterion, history, meta)
