"""Accuracy against labelled frames per screen, BangUINet trained from scratch. Prints a
table; record it in docs/recognition.md.

    .venv/bin/python scripts/bench_ui_frames_per_label.py [--counts 1,3,10,30] [--steps 400]

For each N: N perturbed simulator frames of each of the 34 states (seeds unlike the
held-out ones), trained from scratch exactly as ``train_ui_recognition`` trains (its
stratified validation split takes 20 % of a label's frames, at least one when it has two;
generated unknowns; calibration on capture-like copies), for about ``--steps`` optimiser
steps whatever N (so fewer epochs for larger N), then evaluated on the held-out frames of
bench_ui_recognition (10 per state) and on the benchmark's unknown kinds. Torch forward +
the classifier's own decision code (calibrate.py), which is what the ONNX classifier runs.

Each trained network is also calibrated the way the task did before (on copies augmented
as training augments, ``--compare-train-limits``): the same network, only the frames that
set its temperature, centroids, covariance and limits differ.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_ui_recognition import HELD_OUT_SEED, unknown_kinds  # noqa: E402
from make_ui_dataset import cached_frames  # noqa: E402

from services.recognition.ui.augment import TRAIN  # noqa: E402
from services.recognition.ui.bangui_net import BangUINet  # noqa: E402
from services.recognition.ui.calibrate import Calibration  # noqa: E402
from services.recognition.ui.labels import UNKNOWN_ID  # noqa: E402
from services.recognition.ui.train import (  # noqa: E402
    TrainOptions,
    calibrate_model,
    epoch_samples,
    forward_all,
    known_frames,
    split_dataset,
    stratified_split,
    train,
    validation_unknowns,
)

CURVE_SEED = 2000


def epochs_for(labels: np.ndarray, opts: TrainOptions, steps: int) -> int:
    """Epochs that make about ``steps`` optimiser steps (as train() counts them)."""
    tr, _ = stratified_split(labels, opts.val_fraction, np.random.default_rng(0))
    n = len(tr) + max(8, int(opts.unknown_fraction * len(tr)))
    return max(1, round(steps / math.ceil(epoch_samples(n, opts) / opts.batch_size)))


def run(
    n: int, a: argparse.Namespace, test: tuple[np.ndarray, np.ndarray], kinds: dict[str, np.ndarray]
) -> dict[str, object]:
    cache = Path(a.cache) / f"train-{n}.npz" if a.cache else None
    imgs, labels = cached_frames(cache, n, 0, CURVE_SEED + n)
    opts = TrainOptions(batch_size=a.batch, lr=a.lr, width_mult=a.width, seed=n)
    opts.epochs = epochs_for(labels, opts, a.steps)
    t = time.perf_counter()
    r = train(imgs, labels, opts, log=lambda _m: None)
    seconds = time.perf_counter() - t
    row = measure(r.model, Calibration.from_meta(r.meta), test, kinds) | {
        "per_label": n,
        "epochs": opts.epochs,
        "train_seconds": round(seconds),
        "limits": "capture-like",
        "temperature": r.meta["temperature"],
    }
    print_row(row)
    if a.compare_train_limits:
        split = split_dataset(labels, opts.val_fraction, np.random.default_rng(opts.seed))
        known = known_frames(imgs, labels, split)
        n_unk = max(8, int(opts.unknown_fraction * len(known)))
        unk = validation_unknowns(max(4, n_unk // 4), opts.seed + 1, known)
        cal = calibrate_model(r.model, imgs, labels, split, unk, opts.seed, TRAIN)
        old = measure(r.model, cal, test, kinds) | {
            "per_label": n,
            "epochs": opts.epochs,
            "train_seconds": round(seconds),
            "limits": "training augmentation",
            "temperature": round(cal.temperature, 5),
        }
        print_row(old)
        row["train_limits"] = old
    return row


def measure(
    model: BangUINet, cal: Calibration, test: tuple[np.ndarray, np.ndarray], kinds: dict[str, np.ndarray]
) -> dict[str, object]:
    logits, feats = forward_all(model, test[0])
    got = cal.decide(logits, feats)
    closed = logits[:, :UNKNOWN_ID].argmax(1)
    rejected = {}
    for kind, frames in kinds.items():
        lo, fe = forward_all(model, frames)
        rejected[kind] = round(float((cal.decide(lo, fe) == UNKNOWN_ID).mean()), 3)
    return {
        "accuracy": round(float((got == test[1]).mean()), 4),
        "closed_set": round(float((closed == test[1]).mean()), 4),
        "refused": int((got == UNKNOWN_ID).sum()),
        "wrong": int(((got != test[1]) & (got != UNKNOWN_ID)).sum()),
        "unknown_rejection": round(float(np.mean(list(rejected.values()))), 3),
        "by_kind": rejected,
        "max_dist": round(cal.max_dist, 4),
        "max_maha": round(cal.max_maha, 4),
    }


def print_row(row: dict[str, object]) -> None:
    kinds = row["by_kind"]
    assert isinstance(kinds, dict)
    print(
        f"| {row['per_label']} | {row['limits']} | {row['epochs']} | {row['accuracy']:.4f} "
        f"| {row['closed_set']:.4f} | {row['refused']} | {row['wrong']} | {row['unknown_rejection']:.3f} "
        f"| {' / '.join(f'{v:.2f}' for v in kinds.values())} | {row['train_seconds']} s |",
        flush=True,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--counts", default="1,3,10,30")
    p.add_argument("--steps", type=int, default=400, help="optimiser steps per run, about")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--width", type=float, default=0.35)
    p.add_argument("--per-state", type=int, default=10, help="held-out frames per state")
    p.add_argument("--per-kind", type=int, default=40, help="unknown frames per kind")
    p.add_argument("--cache", default=None, help="folder for the generated frames (.npz)")
    p.add_argument("--json", default=None)
    p.add_argument(
        "--compare-train-limits",
        action="store_true",
        help="also calibrate each network on training-strength copies (the task's former limits)",
    )
    a = p.parse_args()
    import torch

    torch.set_num_threads(1)
    cache = Path(a.cache) if a.cache else None
    imgs, labels = cached_frames(cache / "held-out.npz" if cache else None, a.per_state, 0, HELD_OUT_SEED)
    kinds = unknown_kinds(a.per_kind, cache)
    print(f"held-out: {len(labels)} frames; unknown kinds: {', '.join(kinds)} ({a.per_kind} each)")
    print(
        "| per label | limits set on | epochs | accuracy | closed-set | refused | wrong "
        f"| unknown rejection | by kind ({' / '.join(kinds)}) | train |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = [run(int(n), a, (imgs, labels), kinds) for n in a.counts.split(",")]
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
