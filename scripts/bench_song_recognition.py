"""Song recognition speed on one CPU thread: per-query time (learned, learned + re-rank,
classical baseline) with a ~1000-song gallery, cold start, add_song, and search at 100k.

    .venv/bin/python scripts/bench_song_recognition.py [--model PATH] [--songs 1000]

Prints numbers; docs/recognition.md records them."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

cv2.setNumThreads(1)  # one CPU thread for everything measured here

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.recognition.song import SongRecognizer  # noqa: E402
from services.recognition.song.augment import HARD, USER, perturb  # noqa: E402
from services.recognition.song.classical import ClassicalMatcher  # noqa: E402
from services.recognition.song.evaluate import fake_titles  # noqa: E402
from services.recognition.song.preprocess import crop_mask  # noqa: E402
from services.recognition.song.store import load_title_images  # noqa: E402
from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all  # noqa: E402
from shared.title_render import render_title, render_titles  # noqa: E402


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.2f} ms, mean {statistics.mean(samples) * 1000:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--songs", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=300)
    a = ap.parse_args()
    songs = load_songs_all(SHIPPED_SONGS_ALL)
    titles = {s.id: s.title for s in songs.values()}
    extra = fake_titles(list(titles.values()), max(0, a.songs - len(titles)), seed=11)
    titles |= {100000 + k: t for k, t in enumerate(extra)}
    work = Path(tempfile.mkdtemp(prefix="song-bench-"))
    tdir, gp = work / "titles", work / "g.json"
    render_titles(titles, tdir)
    t0 = time.perf_counter()
    rec = SongRecognizer(tdir, gp, a.model, threads=1)
    print(f"gallery of {len(rec.gallery)} songs built in {time.perf_counter() - t0:.1f} s")
    ids, imgs = load_title_images(tdir)
    rng = np.random.default_rng(0)
    sel = rng.choice(len(ids), a.queries)
    q = perturb(imgs[sel], USER, rng)
    t = time.perf_counter()
    for x in q[:10]:
        rec.match(x)  # first touches: reference crops are read and prepared lazily
    first = (time.perf_counter() - t) / 10
    for i in rec.gallery.ids:
        rec._reference(i)  # steady state: every reference prepared once
    print(f"first queries (references prepared on first use): mean {first * 1000:.2f} ms")
    learned, full = [], []
    for x in q:
        t = time.perf_counter()
        v = rec.embedder.embed_one(crop_mask(x)[0])
        int((rec.gallery.vectors @ v).argmax())
        learned.append(time.perf_counter() - t)
        t = time.perf_counter()
        rec.match(x)
        full.append(time.perf_counter() - t)
    hard_q = perturb(imgs[sel], HARD, np.random.default_rng(1))
    hard = []
    for x in hard_q:
        t = time.perf_counter()
        rec.match(x)
        hard.append(time.perf_counter() - t)
    # Titles that are no gallery song: nothing verifies, so every re-rank round runs.
    strangers = perturb(
        np.stack([render_title(x, salt="stranger") for x in fake_titles(list(titles.values()), 100, seed=5)]),
        USER,
        np.random.default_rng(2),
    )
    for x in strangers:
        rec.match(x)  # prepare the references these touch (steady state, as above)
    outside = []
    for x in strangers:
        t = time.perf_counter()
        rec.match(x)
        outside.append(time.perf_counter() - t)
    cm = ClassicalMatcher(ids, imgs)
    classical = []
    for x in q:
        t = time.perf_counter()
        cm.match(x)
        classical.append(time.perf_counter() - t)
    print(f"per query, learned retrieval only: {ms(learned)}")
    print(f"per query, recogniser (learned top 5/20/50 + classical re-rank + verify): {ms(full)}")
    print(f"per query, recogniser, HARD queries: {ms(hard)}")
    print(f"per query, recogniser, titles not in the gallery (refused): {ms(outside)}")
    print(f"per query, classical baseline: {ms(classical)}")

    probe = work / "probe.png"
    cv2.imwrite(str(probe), q[0])
    code = (
        "import time; t=time.perf_counter(); import cv2;"
        "from services.recognition.song import SongRecognizer;"
        f"r=SongRecognizer({str(tdir)!r}, {str(gp)!r}, {a.model!r}, threads=1);"
        f"i=r.get_id(cv2.imread({str(probe)!r}, 0)); import sys;"
        "print(time.perf_counter()-t, i, 'torch' in sys.modules)"
    )
    colds, walls = [], []
    torch_loaded = "?"
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=os.environ | {"OMP_NUM_THREADS": "1"},
            check=True,
        ).stdout.split()
        walls.append(time.perf_counter() - t)
        colds.append(float(out[0]))
        torch_loaded = out[2]
    print(
        f"cold start (imports + model + gallery + one query, in-process): best {min(colds):.3f} s, "
        f"median {statistics.median(colds):.3f} s; whole process incl. interpreter: {min(walls):.3f} s; "
        f"torch imported: {torch_loaded}"
    )

    adds = []
    for k in range(20):
        p = work / f"t-{900000 + k}.png"
        cv2.imwrite(str(p), render_title(f"新曲テスト {k}", salt="bench"))
        t = time.perf_counter()
        rec.add_song(p)
        adds.append(time.perf_counter() - t)
    print(f"add_song (embed, copy, save JSON + npy + record, {len(rec.gallery)} songs): {ms(adds)}")

    big = rng.normal(size=(100_000, 128)).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    qv = big[123]
    searches = []
    for _ in range(30):
        t = time.perf_counter()
        s = big @ qv
        top = np.argpartition(-s, 5)[:5]
        top[np.argsort(-s[top])]
        searches.append(time.perf_counter() - t)
    print(f"search over 100k vectors (cosine + top 5): {ms(searches)}")
    raw = json.dumps([[[round(float(v), 7) for v in row], i] for i, row in enumerate(big)])
    jp = work / "big.json"
    jp.write_text(raw)
    np.save(work / "big.npy", big)
    t = time.perf_counter()
    json.loads(jp.read_text())
    tj = time.perf_counter() - t
    t = time.perf_counter()
    np.load(work / "big.npy")
    tn = time.perf_counter() - t
    print(f"load a 100k gallery: JSON {tj:.2f} s, binary copy {tn * 1000:.1f} ms")


if __name__ == "__main__":
    main()
