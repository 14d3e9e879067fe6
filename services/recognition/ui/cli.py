"""``python -m services.recognition.ui <command>``: classify, train, evaluate, import.

The model is ``--model PATH``, else the one train_ui_recognition kept in the data dir
(``AUTOBANG_DATA_DIR``), else the shipped one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.recognition.common.cli import run


def _data_dir() -> Path:
    from shared.settings import Settings

    return Settings().data_dir


def _model(a: argparse.Namespace) -> Path:
    from services.recognition.ui.classifier import current_model

    return Path(a.model) if a.model else current_model(_data_dir())


def _dataset_root(a: argparse.Namespace) -> Path:
    from services.recognition.ui.dataset import dataset_dir

    return Path(a.data) if a.data else dataset_dir(_data_dir())


def cmd_classify(a: argparse.Namespace) -> int:
    from services.recognition.ui import UIClassifier
    from services.recognition.ui.preprocess import read_frame

    clf = UIClassifier(_model(a))
    bad = 0
    for f in a.frames:
        try:
            p = clf.classify(read_frame(Path(f)))
        except (ValueError, FileNotFoundError) as exc:
            print(json.dumps({"file": f, "error": str(exc)}))
            bad += 1
            continue
        print(json.dumps({"file": f, "state": p.state, "confidence": round(p.confidence, 4)}))
    return 1 if bad else 0


def cmd_train(a: argparse.Namespace) -> int:
    from services.recognition.ui.dataset import load_dataset
    from services.recognition.ui.pipeline import train_dataset
    from services.recognition.ui.train import EpochInfo, TrainOptions

    data = load_dataset(_dataset_root(a))
    if len(data.labels) == 0:
        raise FileNotFoundError(f"no labelled frames under {_dataset_root(a)}/<state>/")
    print(f"{len(data.labels)} frames: {data.counts()}", flush=True)
    opts = TrainOptions(
        epochs=a.epochs, batch_size=a.batch, lr=a.lr, width_mult=a.width, threads=a.threads, seed=a.seed
    )

    def epoch(e: EpochInfo) -> None:
        print(
            f"epoch {e.epoch}/{e.epochs} loss {e.loss:.4f} val_acc {e.val_acc:.4f} "
            f"elapsed {e.elapsed_s:.0f}s eta {e.eta_s:.0f}s",
            flush=True,
        )

    init = Path(a.init) if a.init else None
    r = train_dataset(
        data.images, data.labels, Path(a.out), opts, init_checkpoint=init, on_epoch=epoch, half=a.half
    )
    print(f"saved {a.out}/banguinet.onnx/.pt/.json (best epoch {r.best_epoch}, val_acc {r.val_acc:.4f})")
    return 0


def cmd_evaluate(a: argparse.Namespace) -> int:
    import numpy as np

    from services.recognition.ui import UIClassifier
    from services.recognition.ui.dataset import load_dataset
    from services.recognition.ui.labels import UNKNOWN_ID
    from services.recognition.ui.pipeline import accuracy
    from services.recognition.ui.unknowns import synthetic_unknowns

    data = load_dataset(_dataset_root(a))
    if len(data.labels) == 0:
        raise FileNotFoundError(f"no labelled frames under {_dataset_root(a)}/<state>/")
    imgs, labels = data.images, data.labels
    if a.unknowns:
        unk = synthetic_unknowns(a.unknowns, np.random.default_rng(a.seed), imgs)
        imgs, labels = np.concatenate([imgs, unk]), np.concatenate([labels, np.full(len(unk), UNKNOWN_ID)])
    rep = accuracy(UIClassifier(_model(a)), imgs, labels)
    print(json.dumps(rep, indent=1))
    return 0


def cmd_import(a: argparse.Namespace) -> int:
    from services.recognition.ui.dataset import import_v1

    rep = import_v1(Path(a.src), _dataset_root(a))
    print(json.dumps({"imported": rep.imported, "skipped": rep.skipped}, indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m services.recognition.ui", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("classify", help="print {file, state, confidence} per frame (JSON lines)")
    c.add_argument("frames", nargs="+")
    c.add_argument("--model", default=None, help="ONNX model (default: the data dir's, else the shipped one)")
    c.set_defaults(fn=cmd_classify)

    data_help = "dataset root with one folder per state (default: <data dir>/ui_recognition/imgs)"
    t = sub.add_parser("train", help="train BangUINet (needs torch)")
    t.add_argument("--data", default=None, help=data_help)
    t.add_argument("--out", required=True, help="folder for banguinet.onnx/.pt/.json")
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=0.003)
    t.add_argument(
        "--width", type=float, default=0.5, help="channel width multiplier (1 = the user's widths)"
    )
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init", default=None, help="checkpoint (.pt) to start from")
    t.add_argument("--half", action="store_true", help="store the checkpoint in float16 (shipped copy)")
    t.set_defaults(fn=cmd_train)

    e = sub.add_parser("evaluate", help="accuracy and rejection on a labelled folder")
    e.add_argument("--data", default=None, help=data_help)
    e.add_argument("--model", default=None)
    e.add_argument("--unknowns", type=int, default=200, help="generated unknown frames to add")
    e.add_argument("--seed", type=int, default=0)
    e.set_defaults(fn=cmd_evaluate)

    i = sub.add_parser("import", help="copy the first version's UI_imgs/<state>-NNN.png into the dataset")
    i.add_argument("src")
    i.add_argument("--data", default=None, help=data_help)
    i.set_defaults(fn=cmd_import)
    return p


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
