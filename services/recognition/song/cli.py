"""``python -m services.recognition.song <command>``: render, train, build-gallery,
identify, add, stats, evaluate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from services.recognition.common.cli import run


def _catalog(path: str | None) -> dict[int, Any]:
    from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all

    return load_songs_all(Path(path) if path else SHIPPED_SONGS_ALL)


def _recognizer(a: argparse.Namespace) -> Any:
    from services.recognition.song import SongRecognizer

    levels = None
    if getattr(a, "catalog", None) is not None or getattr(a, "use_catalog", False):
        levels = {i: s.levels for i, s in _catalog(a.catalog).items()}
    return SongRecognizer(a.titles, a.gallery, a.model, levels=levels)


def cmd_render(a: argparse.Namespace) -> int:
    from shared.title_render import catalog_titles, render_titles

    titles = catalog_titles(_catalog(a.catalog).values())
    written = render_titles(titles, Path(a.out), overwrite=a.overwrite)
    print(f"wrote {len(written)} crops to {a.out} ({len(titles)} titles)")
    return 0


def cmd_train(a: argparse.Namespace) -> int:
    from services.recognition.song.pipeline import train_to_dir
    from services.recognition.song.train import StepInfo, TrainOptions

    opts = TrainOptions(
        loss=a.loss,
        epochs=a.epochs,
        num_batches=a.batches,
        classes_per_batch=a.classes,
        lr=a.lr,
        threads=a.threads,
        seed=a.seed,
    )

    def step(s: StepInfo) -> None:
        if s.step % a.log_every == 0 or s.step == s.total:
            print(
                f"step {s.step}/{s.total} loss {s.loss:.4f} lr {s.lr:.5f} margin {s.margin:.3f} "
                f"elapsed {s.elapsed_s:.0f}s eta {s.eta_s:.0f}s",
                flush=True,
            )

    init = Path(a.init) if a.init else None
    meta = train_to_dir(
        Path(a.titles), Path(a.out), opts, init_checkpoint=init, on_step=step, synthetic=a.synthetic
    )
    print(f"saved {a.out}/titlenet.pt and titlenet.onnx ({meta['train_seconds']} s)")
    return 0


def cmd_build(a: argparse.Namespace) -> int:
    rec = _recognizer(a)
    n = rec.build_gallery()
    print(f"gallery {a.gallery}: {n} songs (model {rec.embedder.model_id})")
    return 0


def cmd_identify(a: argparse.Namespace) -> int:
    from services.recognition.song.store import read_gray

    rec = _recognizer(a)
    for p in a.images:
        m = rec.match(read_gray(Path(p)), level=a.level)
        print(json.dumps({"image": p} | m.as_dict(), ensure_ascii=False))
    return 0


def cmd_add(a: argparse.Namespace) -> int:
    rec = _recognizer(a)
    sid = rec.add_song(Path(a.image), a.id)
    print(f"added song {sid}; gallery has {len(rec.gallery)} songs")
    return 0


def cmd_stats(a: argparse.Namespace) -> int:
    from services.recognition.song.stats import histogram_png, show_features_statistic

    st = show_features_statistic(_recognizer(a), m=a.pairs)
    print(
        f"{st['pairs']} pairs of different songs: min {st['min']:.4f} max {st['max']:.4f}; "
        f"worst known match {st['worst_known']:.4f}; gap {st['gap']:.4f}"
    )
    if a.png:
        Path(a.png).write_bytes(histogram_png(st))
    if a.json:
        Path(a.json).write_text(json.dumps(st, indent=1))
    return 0


def cmd_evaluate(a: argparse.Namespace) -> int:
    from services.recognition.song.evaluate import evaluate
    from services.recognition.song.pipeline import model_train_ids
    from services.recognition.song.recognizer import DEFAULT_MODEL
    from shared.title_render import catalog_titles

    model = Path(a.model) if a.model else DEFAULT_MODEL
    titles = catalog_titles(_catalog(a.catalog).values()) if a.fakes else None
    rep = evaluate(
        Path(a.titles), model, train_ids=model_train_ids(model), titles=titles, per_title=a.per_title
    )
    print(json.dumps(rep, indent=1))
    if a.json:
        Path(a.json).write_text(json.dumps(rep, indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m services.recognition.song", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp: argparse.ArgumentParser, gallery: bool = True) -> None:
        sp.add_argument("--titles", required=True, help="folder of t-<id>.png crops")
        if gallery:
            sp.add_argument("--gallery", required=True, help="gallery JSON path")
        sp.add_argument("--model", default=None, help="ONNX model (default: the shipped one)")

    r = sub.add_parser("render", help="render the catalog's titles as synthetic crops")
    r.add_argument("--catalog", default=None, help="songs/all.5.json (default: the shipped list)")
    r.add_argument("--out", required=True)
    r.add_argument("--overwrite", action="store_true")
    r.set_defaults(fn=cmd_render)

    t = sub.add_parser("train", help="train TitleNet (needs torch)")
    t.add_argument("--titles", required=True)
    t.add_argument("--out", required=True, help="folder for titlenet.pt/.onnx/.json")
    t.add_argument("--loss", choices=["arcface", "triplet"], default="arcface")
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--batches", type=int, default=32, help="batches per epoch")
    t.add_argument("--classes", type=int, default=32, help="classes per batch")
    t.add_argument("--lr", type=float, default=0.003)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init", default=None, help="checkpoint to start from")
    t.add_argument("--log-every", type=int, default=10)
    t.add_argument("--synthetic", type=int, default=0, help="extra rendered non-song titles as classes")
    t.set_defaults(fn=cmd_train)

    b = sub.add_parser("build-gallery", help="embed every crop into the gallery")
    common(b)
    b.set_defaults(fn=cmd_build)

    i = sub.add_parser("identify", help="identify crops or 1280x720 screenshots")
    common(i)
    i.add_argument("images", nargs="+")
    i.add_argument("--level", type=int, default=None, help="level shown (breaks identical-title ties)")
    i.add_argument("--catalog", default=None, help="songs/all.5.json for the levels")
    i.add_argument("--use-catalog", action="store_true", help="use the shipped catalog's levels")
    i.set_defaults(fn=cmd_identify)

    ad = sub.add_parser("add", help="add a new song's crop without retraining")
    common(ad)
    ad.add_argument("image")
    ad.add_argument("--id", type=int, default=None)
    ad.set_defaults(fn=cmd_add)

    s = sub.add_parser("stats", help="similarity histogram of different songs")
    common(s)
    s.add_argument("--pairs", type=int, default=2048)
    s.add_argument("--png", default=None)
    s.add_argument("--json", default=None)
    s.set_defaults(fn=cmd_stats)

    e = sub.add_parser("evaluate", help="accuracy on titles the model never trained on")
    common(e, gallery=False)
    e.add_argument("--catalog", default=None)
    e.add_argument("--fakes", action="store_true", help="add rendered non-song titles as outsiders")
    e.add_argument("--per-title", type=int, default=20)
    e.add_argument("--json", default=None)
    e.set_defaults(fn=cmd_evaluate)
    return p


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
