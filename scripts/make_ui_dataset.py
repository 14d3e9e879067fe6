"""UI-recognition frames from the simulator's screens, with capture perturbations.

.venv/bin/python scripts/make_ui_dataset.py write DIR [--per-state 30 --unknowns 150]
    one folder per label under DIR (the layout train_ui_recognition reads), frames
    written at 320x180 to keep the folder small (frames of any size are resized on load)
.venv/bin/python scripts/make_ui_dataset.py ship [--per-state 30 --epochs 15]
    trains the shipped model (services/recognition/ui/models/banguinet.*) on them
.venv/bin/python scripts/make_ui_dataset.py gallery [--per-state 3]
    the screen gallery the product starts with (services/recognition/ui/models/
    gallery_frames.npz): that many 90x160 simulator frames per state
.venv/bin/python scripts/make_ui_dataset.py calibrate [DIR]
    refits its centroids and covariance and sets its rejection limits from fresh frames
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.recognition.ui.labels import LABEL_ID, UNKNOWN, UNKNOWN_ID  # noqa: E402
from services.recognition.ui.preprocess import Image, small  # noqa: E402
from services.simulator.perturb import Perturbation, perturb  # noqa: E402
from services.simulator.screens import sample_screen, sample_unknown  # noqa: E402
from shared.screens import UI_STATES  # noqa: E402

SHIPPED = ROOT / "services" / "recognition" / "ui" / "models"


def random_perturbation(rng: np.random.Generator) -> Perturbation:
    """A capture as rough as the simulator's documented range: up to 15 % brightness,
    noise sigma 8, JPEG 40-95 (or none), 6 px of shift, 3 % scale."""
    return Perturbation(
        brightness=float(rng.uniform(0, 0.15)),
        noise=float(rng.uniform(0, 8)),
        jpeg_quality=int(rng.integers(40, 96)) if rng.random() < 0.7 else None,
        shift=int(rng.integers(0, 7)),
        scale=float(rng.uniform(0, 0.03)),
    )


def frames(
    per_state: int, unknowns: int, seed: int, states: tuple[str, ...] = UI_STATES, full: bool = False
) -> tuple[Image, npt.NDArray[np.int64]]:
    """(N, 90, 160, 3) perturbed simulator frames (or 720x1280 when ``full``) and labels."""
    rng = np.random.default_rng(seed)
    out: list[Image] = []
    labels: list[int] = []
    for s in states:
        for _ in range(per_state):
            f = perturb(sample_screen(s, rng), random_perturbation(rng), rng)
            out.append(f if full else small(f))
            labels.append(LABEL_ID[s])
    for _ in range(unknowns):
        f = perturb(sample_unknown(rng), random_perturbation(rng), rng)
        out.append(f if full else small(f))
        labels.append(UNKNOWN_ID)
    return np.stack(out), np.asarray(labels, np.int64)


def cached_frames(
    path: Path | None, per_state: int, unknowns: int, seed: int
) -> tuple[Image, npt.NDArray[np.int64]]:
    """``frames`` at 90x160, kept in an .npz so a rerun does not redraw them."""
    if path is not None and path.is_file():
        with np.load(path) as z:
            if z["meta"].tolist() == [per_state, unknowns, seed]:
                return z["images"], z["labels"]
    imgs, labels = frames(per_state, unknowns, seed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, images=imgs, labels=labels, meta=np.array([per_state, unknowns, seed]))
    return imgs, labels


def cmd_write(a: argparse.Namespace) -> int:
    rng = np.random.default_rng(a.seed)
    root = Path(a.dir)
    for label in (*UI_STATES, UNKNOWN):
        n = a.unknowns if label == UNKNOWN else a.per_state
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            raw = sample_unknown(rng) if label == UNKNOWN else sample_screen(label, rng)
            f = perturb(raw, random_perturbation(rng), rng)
            cv2.imwrite(
                str(root / label / f"{label}-{i:03d}.png"),
                cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA),
            )
    print(f"wrote {len(UI_STATES)} x {a.per_state} + {a.unknowns} unknown frames under {root}")
    return 0


def cmd_ship(a: argparse.Namespace) -> int:
    from services.recognition.ui.pipeline import train_dataset
    from services.recognition.ui.train import EpochInfo, TrainOptions

    imgs, labels = cached_frames(Path(a.cache) if a.cache else None, a.per_state, a.unknowns, a.seed)
    print(f"{len(labels)} frames generated", flush=True)
    opts = TrainOptions(
        epochs=a.epochs, batch_size=a.batch, lr=a.lr, width_mult=a.width, threads=a.threads, seed=a.seed
    )

    def epoch(e: EpochInfo) -> None:
        print(
            f"epoch {e.epoch}/{e.epochs} loss {e.loss:.4f} val_acc {e.val_acc:.4f} {e.elapsed_s:.0f}s",
            flush=True,
        )

    out = Path(a.out)
    init = Path(a.init) if a.init else None
    r = train_dataset(imgs, labels, out, opts, init_checkpoint=init, on_epoch=epoch, half=True)
    print(f"saved {out} (best epoch {r.best_epoch}, val_acc {r.val_acc:.4f}, {r.meta['train_seconds']} s)")
    return 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    from services.recognition.ui.pipeline import recalibrate

    cache = Path(a.cache) if a.cache else None
    fit = cached_frames(cache / "calibrate-fit.npz" if cache else None, a.fit_per_state, 0, a.seed + 1)
    imgs, labels = cached_frames(cache / "calibrate.npz" if cache else None, a.per_state, 0, a.seed)
    cal = recalibrate(Path(a.dir), imgs, labels, fit=fit, half=True)
    print(
        f"centroids and covariance from {len(fit[1])} frames (seed {a.seed + 1}); max_dist "
        f"{cal.max_dist:.4f}, max_maha {cal.max_maha:.4f} from {len(labels)} frames (seed {a.seed})"
    )
    return 0


def cmd_gallery(a: argparse.Namespace) -> int:
    from services.recognition.ui.prototypes import SHIPPED_FRAMES
    from shared.atomic_write import write_atomic

    imgs, labels = frames(a.per_state, 0, a.seed)
    states = np.array([UI_STATES[int(i)] for i in labels], dtype=str)
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=imgs, states=states)
    write_atomic(SHIPPED_FRAMES, buf.getvalue())
    print(f"wrote {len(labels)} frames ({a.per_state} per state, seed {a.seed}) to {SHIPPED_FRAMES}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("dir")
    w.add_argument("--per-state", type=int, default=30)
    w.add_argument("--unknowns", type=int, default=150)
    w.add_argument("--seed", type=int, default=0)
    w.set_defaults(fn=cmd_write)
    s = sub.add_parser("ship")
    s.add_argument("--out", default=str(SHIPPED))
    s.add_argument("--per-state", type=int, default=30)
    s.add_argument("--unknowns", type=int, default=150)
    s.add_argument("--epochs", type=int, default=15)
    s.add_argument("--lr", type=float, default=0.01)
    s.add_argument("--batch", type=int, default=32)
    s.add_argument("--width", type=float, default=0.35)
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--init", default=None, help="checkpoint (.pt) to continue from")
    s.add_argument("--cache", default=None, help=".npz to keep the generated frames in")
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(fn=cmd_ship)
    c = sub.add_parser("calibrate", help="set the model's rejection from fresh simulator frames")
    c.add_argument("dir", nargs="?", default=str(SHIPPED))
    c.add_argument("--per-state", type=int, default=10, help="frames per state for the limits")
    c.add_argument("--fit-per-state", type=int, default=20, help="for the centroids and covariance")
    c.add_argument("--seed", type=int, default=3000)
    c.add_argument("--cache", default=None)
    c.set_defaults(fn=cmd_calibrate)
    g = sub.add_parser("gallery", help="the screen gallery shipped with the product")
    g.add_argument("--per-state", type=int, default=3)
    g.add_argument("--seed", type=int, default=7)
    g.set_defaults(fn=cmd_gallery)
    a = p.parse_args()
    return int(a.fn(a))


if __name__ == "__main__":
    raise SystemExit(main())
