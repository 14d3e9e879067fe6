"""Benchmark UI recognition on the simulator's screens. Prints numbers; record them in
docs/recognition.md.

    .venv/bin/python scripts/bench_ui_recognition.py [--model PATH] [--cache DIR]

- held-out accuracy: fresh perturbed frames of every state (other seeds than training);
- unknown rejection by kind (scripts/ui_unknown_kinds.py: the simulator's other screens,
  other apps, a launcher, photo-like fields, half-drawn, zoomed and turned screens; each
  perturbed like the held-out frames), share answered ``unknown``; and on the training
  generator's own kinds (unknowns.py, a fresh seed) for comparison;
- latency: one 720x1280 frame through ``UIClassifier.classify`` on one thread (resize
  included), and the cold start (import + load + first frame) in a fresh process.

Accuracy against frames per label, trained from scratch: bench_ui_frames_per_label.py.
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
from ui_unknown_kinds import HELD_OUT, KINDS  # noqa: E402

from services.recognition.ui import UIClassifier  # noqa: E402
from services.recognition.ui.classifier import DEFAULT_MODEL  # noqa: E402
from services.recognition.ui.labels import UNKNOWN_ID  # noqa: E402
from services.recognition.ui.pipeline import accuracy  # noqa: E402
from services.recognition.ui.preprocess import Image, small  # noqa: E402
from services.recognition.ui.unknowns import synthetic_unknowns  # noqa: E402
from services.simulator.perturb import perturb  # noqa: E402
from services.simulator.screens import sample_screen  # noqa: E402

HELD_OUT_SEED, KINDS_SEED = 1000, 4000


def unknown_kinds(per_kind: int, cache: Path | None) -> dict[str, Image]:
    """``per_kind`` perturbed 90x160 frames of every unknown kind (cached in an .npz)."""
    path = cache / f"unknown-kinds-{per_kind}.npz" if cache else None
    if path is not None and path.is_file():
        with np.load(path) as z:
            if sorted(z.files) == sorted(KINDS):
                return {k: z[k] for k in KINDS}
    rng = np.random.default_rng(KINDS_SEED)
    out = {
        k: np.stack([small(perturb(make(rng), random_perturbation(rng), rng)) for _ in range(per_kind)])
        for k, make in KINDS.items()
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **out)  # type: ignore[arg-type]
    return out


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


def evaluate_model(
    model: Path, imgs: np.ndarray, labels: np.ndarray, kinds: dict[str, Image]
) -> dict[str, object]:
    clf = UIClassifier(model)
    print(f"model {model.name} ({model.stat().st_size / 1e6:.2f} MB, width {clf.meta.get('width_mult')})")
    rep = accuracy(clf, imgs, labels)
    print(
        f"held-out accuracy: {rep['known_accuracy']:.4f} on {rep['known']} perturbed frames "
        f"({rep['known_wrong']} wrong, {rep['known_rejected']} rejected as unknown) {rep['confusion']}"
    )
    rejection: dict[str, float] = {}
    for kind, frames in kinds.items():
        rep_k = accuracy(clf, frames, np.full(len(frames), UNKNOWN_ID))
        rejection[kind] = round(rep_k["unknown_rejected"], 4)
        tag = "held-out kind" if kind in HELD_OUT else "like a training kind"
        print(f"unknown rejection, {kind} ({tag}): {rejection[kind]:.4f} of {len(frames)}")
    held = [rejection[k] for k in HELD_OUT]
    print(
        f"unknown rejection: all kinds {np.mean(list(rejection.values())):.4f}, "
        f"held-out kinds {np.mean(held):.4f}"
    )
    gen = synthetic_unknowns(300, np.random.default_rng(HELD_OUT_SEED + 1), imgs)
    gen_unk = accuracy(clf, gen, np.full(len(gen), UNKNOWN_ID))
    print(f"unknown rejection, the training generator's kinds: {gen_unk['unknown_rejected']:.4f} of 300")
    lat = latency(clf)
    cold = cold_start(model)
    print(
        f"latency (1 thread, 720x1280 frame incl. resize): median {lat['median_ms']} ms, "
        f"p95 {lat['p95_ms']} ms"
    )
    print(f"cold start (import + load + first frame): {cold:.2f} s")
    return {
        "held_out": rep,
        "unknown_rejection": rejection,
        "unknown_rejection_generated": gen_unk["unknown_rejected"],
        "latency": lat,
        "cold_start_s": round(cold, 3),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--per-state", type=int, default=10, help="held-out frames per state")
    p.add_argument("--per-kind", type=int, default=100, help="unknown frames per kind")
    p.add_argument("--cache", default=None, help="folder for the generated frames (.npz)")
    p.add_argument("--json", default=None)
    a = p.parse_args()
    cache = Path(a.cache) if a.cache else None
    imgs, labels = cached_frames(cache / "held-out.npz" if cache else None, a.per_state, 0, HELD_OUT_SEED)
    result = evaluate_model(Path(a.model), imgs, labels, unknown_kinds(a.per_kind, cache))
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
