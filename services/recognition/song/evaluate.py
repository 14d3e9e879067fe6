"""The evaluation protocol behind docs/recognition.md.

Eval titles are those the model never trained on (the complement of the checkpoint's
``train_ids``, else the hash hold-out). A third of them, plus rendered titles that are no
real song, are kept OUT of the gallery: their queries must come back as None. Queries are
perturbed copies of the reference crops ('user': light change, noise, shifts; 'hard': plus
JPEG 60, blur, +-2% scale, x0.75..1.25 and +-35 brightness). Songs with identical pictures
count as one answer (their tie is broken by the level, tested separately)."""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.song.augment import HARD, USER, Perturb, perturb
from services.recognition.song.classical import ClassicalMatcher
from services.recognition.song.recognizer import SongRecognizer
from services.recognition.song.store import load_title_images
from services.recognition.song.train import holdout_ids
from shared.title_render import render_title

FAKE_BASE_ID = 900000


@dataclass
class EvalSet:
    gallery_ids: list[int]
    gallery_imgs: npt.NDArray[np.uint8]
    known_ids: list[int]  # unseen in training, in the gallery
    outsider_imgs: npt.NDArray[np.uint8]  # not in the gallery
    same_picture: dict[int, int]  # id -> canonical id of its picture


def fake_titles(real: list[str], n: int, seed: int = 7) -> list[str]:
    """Titles that are no song: characters of real titles reshuffled."""
    rng = random.Random(seed)
    pool = [t for t in real if len(t) >= 2]
    out = []
    for _ in range(n):
        a, b = rng.sample(pool, 2)
        chars = list(a[: max(1, len(a) // 2)] + b[len(b) // 2 :])
        rng.shuffle(chars)
        out.append("".join(chars))
    return out


def make_eval_set(
    title_dir: Path, train_ids: set[int] | None, titles: dict[int, str] | None, n_fake: int = 200
) -> EvalSet:
    ids, imgs = load_title_images(title_dir)
    unseen = [i for i in ids if i not in train_ids] if train_ids else sorted(holdout_ids(ids))
    outsiders = {i for i in unseen if int(hashlib.sha256(f"out{i}".encode()).hexdigest(), 16) % 3 == 0}
    canon: dict[bytes, int] = {}
    same: dict[int, int] = {}
    for i, img in zip(ids, imgs, strict=True):
        same[i] = canon.setdefault(img.tobytes(), i)
    # An outsider's twin picture would be in the gallery: keep twins together.
    outsiders = {i for i in outsiders if sum(1 for j in ids if same[j] == same[i]) == 1}
    keep = [k for k, i in enumerate(ids) if i not in outsiders]
    known = [i for i in unseen if i not in outsiders]
    if not known:  # tiny folders: nothing unseen is left, so measure on every gallery song
        known = [ids[k] for k in keep]
    out_imgs = [imgs[k] for k, i in enumerate(ids) if i in outsiders]
    if titles:
        out_imgs += [render_title(t, salt="fake") for t in fake_titles(list(titles.values()), n_fake)]
    return EvalSet(
        [ids[k] for k in keep],
        imgs[keep],
        known,
        np.stack(out_imgs) if out_imgs else np.zeros((0, 36, 450), np.uint8),
        same,
    )


def _queries(es: EvalSet, p: Perturb, per_title: int, seed: int) -> tuple[npt.NDArray[np.uint8], list[int]]:
    rng = np.random.default_rng(seed)
    index = {i: k for k, i in enumerate(es.gallery_ids)}
    src = np.repeat(np.stack([es.gallery_imgs[index[i]] for i in es.known_ids]), per_title, axis=0)
    return perturb(src, p, rng), [i for i in es.known_ids for _ in range(per_title)]


def evaluate(
    title_dir: Path,
    model_path: Path | None,
    *,
    train_ids: set[int] | None = None,
    titles: dict[int, str] | None = None,
    per_title: int = 20,
    seed: int = 0,
    classical: bool = True,
) -> dict[str, Any]:
    """Numbers for the learned model (retrieval only, and with the re-rank) and the
    classical baseline on one eval set."""
    es = make_eval_set(title_dir, train_ids, titles)
    work = Path(tempfile.mkdtemp(prefix="song-eval-"))
    try:
        gdir = work / "titles"
        gdir.mkdir()
        for i, img in zip(es.gallery_ids, es.gallery_imgs, strict=True):
            cv2.imwrite(str(gdir / f"t-{i}.png"), img)
        rec = SongRecognizer(gdir, work / "gallery.json", model_path)
        cm = ClassicalMatcher(es.gallery_ids, es.gallery_imgs) if classical else None
        report: dict[str, Any] = {
            "gallery": len(es.gallery_ids),
            "known_unseen_titles": len(es.known_ids),
            "outsider_titles": len(es.outsider_imgs),
            "per_title": per_title,
            "model_id": rec.embedder.model_id,
        }
        rng = np.random.default_rng(seed + 99)
        outs = perturb(es.outsider_imgs, USER, rng) if len(es.outsider_imgs) else es.outsider_imgs
        for name, p in (("user", USER), ("hard", HARD)):
            q, truth = _queries(es, p, per_title, seed + (0 if name == "user" else 1))
            report[name] = _score(rec, cm, es, q, truth)
        report["outside"] = _outsiders(rec, cm, outs)
        for name in ("user", "hard"):
            pairs = report[name].pop("_classical", None)
            if pairs and "classical_max_score" in report["outside"]:
                # The baseline's best threshold that still refuses every outsider.
                cut = report["outside"]["classical_max_score"]
                report[name]["classical_accepted_correct"] = float(
                    np.mean([ok and s > cut for ok, s in pairs])
                )
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _score(
    rec: SongRecognizer, cm: ClassicalMatcher | None, es: EvalSet, q: npt.NDArray[np.uint8], truth: list[int]
) -> dict[str, Any]:
    canon = es.same_picture
    vecs = rec._embed(q)
    learned_top1 = [rec.gallery.ids[int(k)] for k in (vecs @ rec.gallery.vectors.T).argmax(1)]
    res: dict[str, Any] = {"queries": len(truth)}
    res["learned_top1"] = float(
        np.mean([canon[a] == canon[t] for a, t in zip(learned_top1, truth, strict=True)])
    )
    t0 = time.perf_counter()
    matches = [rec.match(x) for x in q]
    res["recognizer_ms"] = (time.perf_counter() - t0) / len(q) * 1000
    top = [m.best if m.best is not None else -1 for m in matches]
    res["reranked_top1"] = float(
        np.mean([canon.get(a, -1) == canon[t] for a, t in zip(top, truth, strict=True)])
    )
    accepted = [m.id if m.id is not None else (m.ambiguous[0] if m.ambiguous else None) for m in matches]
    res["accepted_correct"] = float(
        np.mean([a is not None and canon[a] == canon[t] for a, t in zip(accepted, truth, strict=True)])
    )
    res["accepted_wrong"] = int(
        sum(a is not None and canon[a] != canon[t] for a, t in zip(accepted, truth, strict=True))
    )
    correct = [m for m, a, t in zip(matches, top, truth, strict=True) if canon.get(a, -1) == canon[t]]
    res["correct_scores"] = sorted(round(m.score, 4) for m in correct)[:20]
    res["correct_cosines"] = sorted(round(m.cosine, 4) for m in correct)[:20]
    res["min_correct_score"] = float(min((m.score for m in correct), default=0.0))
    if cm is not None:
        t0 = time.perf_counter()
        cl = [cm.match(x) for x in q]
        res["classical_ms"] = (time.perf_counter() - t0) / len(q) * 1000
        res["_classical"] = [(canon[a] == canon[t], s) for (a, s), t in zip(cl, truth, strict=True)]
        res["classical_top1"] = float(
            np.mean([canon[a] == canon[t] for (a, _), t in zip(cl, truth, strict=True)])
        )
        res["classical_min_correct_score"] = float(
            min((s for (a, s), t in zip(cl, truth, strict=True) if canon[a] == canon[t]), default=0.0)
        )
    return res


def _outsiders(rec: SongRecognizer, cm: ClassicalMatcher | None, q: npt.NDArray[np.uint8]) -> dict[str, Any]:
    matches = [rec.match(x) for x in q]
    res: dict[str, Any] = {
        "queries": len(q),
        "accepted": int(sum(m.id is not None or bool(m.ambiguous) for m in matches)),
        "max_score": float(max((m.score for m in matches), default=0.0)),
        "max_cosine": float(max((m.cosine for m in matches), default=0.0)),
        "top_pairs": sorted(([round(m.score, 4), round(m.cosine, 4)] for m in matches), reverse=True)[:10],
    }
    if cm is not None:
        res["classical_max_score"] = float(max((cm.match(x)[1] for x in q), default=0.0))
    return res
