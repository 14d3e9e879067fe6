"""Benchmark UI recognition on the simulator's screens. Prints numbers; record them in
docs/recognition.md.

    .venv/bin/python scripts/bench_ui_recognition.py [--model PATH] [--curve 1,3,10] [--cache DIR]

- held-out accuracy: fresh perturbed frames of every state (other seeds than training);
- unknown rejection: the simulator's ``sample_unknown`` screens (perturbed) and generated
  unknowns (unknowns.py), share answered ``unknown``;
- accuracy against frames per label (``--curve``): the model's features frozen, each state
  represented by the centroid of N of its frames, held-out frames given the nearest one;
- latency: one 720x1280 frame through ``UIClassifier.classify`` on one thread (resize
  included), and the cold start (import + load + first frame) in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_ui_dataset import cached_frames, random_perturbation  # noqa: E402

from services.recognition.ui import UIClassifier  # noqa: E402
from services.recognition.ui.classifier import DEFAULT_MODEL  # noqa: E402
from services.recognition.ui.labels import UNKNOWN_ID  # noqa: E402
from services.recognition.ui.pipeline import accuracy  # noqa: E402
from services.recognition.ui.preprocess import to_input  # noqa: E402
from services.recognition.ui.unknowns import synthetic_unknowns  # noqa: E402
from services.simulator.perturb import perturb  # noqa: E402
from services.simulator.screens import sample_screen  # noqa: E402

HELD_OUT_SEED, CURVE_SEED = 1000, 2000


def cold_start(model: Path) -> float:
    code = (
        "import time; t=time.perf_counter(); import numpy as np; "
        "from services.recognition.ui import UIClassifier; "
        f"c=UIClassifier({str(model)!r}); c.classify(np.zeros((720,1280,3),np.uint8)); "
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def latency(clf: UIClassifier, n: int = 200) -> dict[str, float]:
    rng = np.random.default_rng(7)
    frame = perturb(sample_screen("main_page", rng), random_perturbation(rng), rng)
    for _ in range(10):
        clf.classify(frame)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        clf.classify(frame)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * n)], 2)}


def curve(
    counts: list[int],
    clf: UIClassifier,
    test: tuple[np.ndarray, np.ndarray],
    cache: Path | None,
    repeats: int = 5,
) -> dict[int, float]:
    """Accuracy against frames per label with the model's features frozen: the centroid of
    N frames per state (drawn with other seeds than training and the held-out set) is the
    state's reference, a held-out frame takes the nearest centroid (cosine). Mean of
    ``repeats`` random draws."""
    from services.recognition.ui.calibrate import unit

    m = max(counts)
    pool, pool_labels = cached_frames(
        cache / f"curve-{m}.npz" if cache else None, m, max(4, 4 * m), CURVE_SEED + m
    )
    _, pool_feats = clf.net(to_input(pool))
    _, test_feats = clf.net(to_input(test[0]))
    pool_feats, test_feats = unit(pool_feats), unit(test_feats)
    rng = np.random.default_rng(CURVE_SEED)
    states = np.unique(test[1])
    out: dict[int, float] = {}
    for n in counts:
        accs = []
        for _ in range(repeats):
            cents = np.stack(
                [
                    pool_feats[rng.choice(np.flatnonzero(pool_labels == c), n, replace=False)].mean(0)
                    for c in states
                ]
            )
            pred = states[(test_feats @ unit(cents).T).argmax(1)]
            accs.append(float((pred == test[1]).mean()))
        out[n] = round(float(np.mean(accs)), 4)
        print(f"  {n} frames/state: {out[n]:.4f} (min {min(accs):.4f} over {repeats} draws)", flush=True)
    return out


def evaluate_model(model: Path, imgs: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    clf = UIClassifier(model)
    print(f"model {model.name} ({model.stat().st_size / 1e6:.2f} MB, width {clf.meta.get('width_mult')})")
    known = labels != UNKNOWN_ID
    rep = accuracy(clf, imgs[known], labels[known])
    print(
        f"held-out accuracy: {rep['known_accuracy']:.4f} on {rep['known']} perturbed frames "
        f"({rep['known_wrong']} wrong, {rep['known_rejected']} rejected as unknown) {rep['confusion']}"
    )
    sim_unk = accuracy(clf, imgs[~known], labels[~known])
    gen = synthetic_unknowns(300, np.random.default_rng(HELD_OUT_SEED + 1), imgs[known])
    gen_unk = accuracy(clf, gen, np.full(len(gen), UNKNOWN_ID))
    print(
        f"unknown rejection: simulator unknown screens {sim_unk['unknown_rejected']:.4f} "
        f"of {sim_unk['unknown']}; "
        f"generated unknowns {gen_unk['unknown_rejected']:.4f} of {gen_unk['unknown']}"
    )
    lat = latency(clf)
    cold = cold_start(model)
    print(
        f"latency (1 thread, 720x1280 frame incl. resize): median {lat['median_ms']} ms, "
        f"p95 {lat['p95_ms']} ms"
    )
    print(f"cold start (import + load + first frame): {cold:.2f} s")
    return {
        "held_out": rep,
        "unknown_rejection_simulator": sim_unk["unknown_rejected"],
        "unknown_rejection_generated": gen_unk["unknown_rejected"],
        "latency": lat,
        "cold_start_s": round(cold, 3),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--per-state", type=int, default=10, help="held-out frames per state")
    p.add_argument("--unknowns", type=int, default=200, help="simulator unknown screens")
    p.add_argument("--curve", default="", help="frames per label for the centroid curve, e.g. 1,3,10")
    p.add_argument("--cache", default=None, help="folder for the generated frames (.npz)")
    p.add_argument("--json", default=None)
    a = p.parse_args()
    cache = Path(a.cache) if a.cache else None
    imgs, labels = cached_frames(
        cache / "held-out.npz" if cache else None, a.per_state, a.unknowns, HELD_OUT_SEED
    )
    known = labels != UNKNOWN_ID
    result = evaluate_model(Path(a.model), imgs, labels)
    if a.curve:
        counts = [int(x) for x in a.curve.split(",")]
        print("accuracy against frames per label (frozen features, nearest centroid):", flush=True)
        result["curve"] = curve(counts, UIClassifier(Path(a.model)), (imgs[known], labels[known]), cache)
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
