"""The screen gallery measured (docs/recognition.md, "Screen gallery"): no training, the
shipped network.

.venv/bin/python scripts/bench_ui_gallery.py few [--test 10 --unknowns 300]
    on two screen sets, the simulator's and a game of another look (services/testing/foreign_screens.py,
    its own generator): held-out accuracy and unknown rejection with 1, 3 and 10 prototypes
    per state, each view of the description alone and joined, against the shipped trained
    classifier on the same frames; and the distances the threshold is set between
.venv/bin/python scripts/bench_ui_gallery.py teach [--iterative --visits 3]
    the answers needed to teach all 34 screens from one recording of a play-through of the
    other game (each screen visited a few times, 4-20 frames a visit, unknown screens between):
    the largest group of unplaced frames is asked about (one answer labels the group), the
    gallery places again; the answers up to every state taught (Auto, the scriptor's default,
    asks no more there) and up to no group left (Ask)
.venv/bin/python scripts/bench_ui_gallery.py trained [--per-state 10 --epochs 6 --test 5 --reuse]
    the trained path on the other game (or --set simulator): BangUINet fine-tuned from the
    shipped checkpoint on that many frames per state with the product's recipe (train.py;
    --min-samples and --mix override it), single thread; held-out accuracy and confident wrong
    screens, alone and through the scriptor's reader (prototypes.ScreenReader: its measured choice)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_ui_dataset import random_perturbation  # noqa: E402

from services.recognition.ui.calibrate import unit  # noqa: E402
from services.recognition.ui.classifier import DEFAULT_MODEL, UIClassifier  # noqa: E402
from services.recognition.ui.dataset import add_frame, dataset_dir  # noqa: E402
from services.recognition.ui.embed import THUMB_WEIGHT, Embedder, layouts, thumbnails  # noqa: E402
from services.recognition.ui.gallery import (  # noqa: E402
    GROUP_DIST,
    GROUP_WIDER,
    LAYOUT_MAX,
    MAX_DIST,
    MAX_RADIUS,
    SPREAD,
    ScreenGallery,
    group_frames,
    same_layout,
)
from services.recognition.ui.labels import UNKNOWN  # noqa: E402
from services.recognition.ui.preprocess import Image, small, to_input  # noqa: E402
from services.recognition.ui.prototypes import Choice, ScreenReader  # noqa: E402
from services.scriptor.loop import MIN_CONFIDENCE as CONFIDENT  # noqa: E402  # a wrong screen the scriptor acts on
from services.simulator.perturb import perturb  # noqa: E402
from services.simulator.screens import sample_screen, sample_unknown  # noqa: E402
from services.testing.foreign_screens import ForeignGame  # noqa: E402
from shared.screens import UI_STATES  # noqa: E402

F32 = npt.NDArray[np.float32]
KS = (1, 3, 10)


def simulator_set(per_state: int, unknowns: int, seed: int) -> tuple[Image, list[str], Image]:
    rng = np.random.default_rng(seed)
    frames, states = [], []
    for s in UI_STATES:
        for _ in range(per_state):
            frames.append(small(perturb(sample_screen(s, rng), random_perturbation(rng), rng)))
            states.append(s)
    unk = [small(perturb(sample_unknown(rng), random_perturbation(rng), rng)) for _ in range(unknowns)]
    return np.stack(frames), states, np.stack(unk) if unk else np.zeros((0, *frames[0].shape), np.uint8)


def foreign_set(
    game: ForeignGame, per_state: int, unknowns: int, seed: int
) -> tuple[Image, list[str], Image]:
    rng = np.random.default_rng(seed)
    frames = [small(game.frame(s, rng)) for s in UI_STATES for _ in range(per_state)]
    states = [s for s in UI_STATES for _ in range(per_state)]
    unk = [small(game.unknown_frame(rng)) for _ in range(unknowns)]
    return np.stack(frames), states, np.stack(unk) if unk else np.zeros((0, *frames[0].shape), np.uint8)


def views(emb: Embedder, smalls: Image, weights: list[float]) -> dict[str, F32]:
    out = emb.classifier.net.run_all(to_input(smalls))
    net = unit(out[emb.view].reshape(len(smalls), -1))
    thumb = thumbnails(smalls)
    got = {"network": net, "thumbnail": thumb}
    for w in weights:  # describe() with THUMB_WEIGHT = w
        got[f"joined {w:.1f}"] = np.concatenate([net * np.sqrt(1 - w), thumb * np.sqrt(w)], 1).astype(
            np.float32
        )
    return got


def place(
    protos: F32,
    proto_states: list[str],
    x: F32,
    max_dist: float,
    proto_layouts: F32 | None = None,
    x_layouts: F32 | None = None,
    agree: list[str] | None = None,
) -> tuple[list[str], F32, list[str]]:
    """(nearest state, distance, the gallery's answer with its radii; with the layouts when
    given, as the product places)."""
    lay = proto_layouts if proto_layouts is not None else np.zeros((0, 0), np.float32)
    g = ScreenGallery("bench", list(proto_states), ["b"] * len(proto_states), protos, max_dist, lay)
    pl = g.place(x, x_layouts, agree=agree)
    return [p.best for p in pl], np.array([p.distance for p in pl], np.float32), [p.state for p in pl]


def confusions(truth: list[str], got: list[str]) -> str:
    pairs: dict[tuple[str, str], int] = {}
    for t, g in zip(truth, got, strict=True):
        if g != t:
            pairs[(t, g)] = pairs.get((t, g), 0) + 1
    top = sorted(pairs.items(), key=lambda kv: -kv[1])[:6]
    return ", ".join(f"{t}->{g} x{n}" for (t, g), n in top) or "none"


def cmd_few(a: argparse.Namespace) -> int:
    emb = Embedder.load(DEFAULT_MODEL)
    clf = UIClassifier(DEFAULT_MODEL)
    sets = {
        "simulator": (simulator_set(10, 0, a.seed), simulator_set(a.test, a.unknowns, a.seed + 1)),
        "other game": (
            foreign_set(ForeignGame(a.seed), 10, 0, a.seed + 2),
            foreign_set(ForeignGame(a.seed), a.test, a.unknowns, a.seed + 3),
        ),
    }
    print(
        f"held-out: {a.test} frames per state and {a.unknowns} unknown screens per set; radius {MAX_DIST}, "
        f"{SPREAD} x a state's prototype spread up to {MAX_RADIUS}"
    )
    print(
        f"description: network grid and 32x18 thumbnail, weights {1 - THUMB_WEIGHT:.1f} / {THUMB_WEIGHT:.1f}"
    )
    for name, ((tr, tr_s, _), (te, te_s, unk)) in sets.items():
        ws = sorted({THUMB_WEIGHT, *a.weights})
        vt, ve, vu = views(emb, tr, ws), views(emb, te, ws), views(emb, unk, ws)
        preds = clf.classify_small(np.concatenate([te, unk]))
        known = preds[: len(te)]
        # the reader passes the classifier's answers from the same pass (prototypes.decide)
        agree, agree_u = [p.state for p in known], [p.state for p in preds[len(te) :]]
        right = np.mean([p.state == s for p, s in zip(known, te_s, strict=True)])
        wrong = sum(p.state not in (s, UNKNOWN) for p, s in zip(known, te_s, strict=True))
        rej = np.mean([p.state == UNKNOWN for p in preds[len(te) :]])
        print(
            f"\n{name}: trained classifier (shipped): {right:.2%} placed right, {wrong} wrong screens, "
            f"unknowns rejected {rej:.2%}"
        )
        lt, le, lu = layouts(tr), layouts(te), layouts(unk)
        for k in KS:  # the product's rule: the joined description and the layouts
            idx = [i for i, s in enumerate(tr_s) if tr_s[: i + 1].count(s) <= k]
            protos, ps = vt[f"joined {THUMB_WEIGHT:.1f}"][idx], [tr_s[i] for i in idx]
            joined = f"joined {THUMB_WEIGHT:.1f}"
            _, _, ans = place(protos, ps, ve[joined], MAX_DIST, lt[idx], le, agree)
            _, _, ans_u = place(protos, ps, vu[joined], MAX_DIST, lt[idx], lu, agree_u)
            placed = np.mean([g == s for g, s in zip(ans, te_s, strict=True)])
            wrong_j = sum(g not in (s, UNKNOWN) for g, s in zip(ans, te_s, strict=True))
            rej = np.mean([u == UNKNOWN for u in ans_u])
            print(
                f"  GALLERY (joined {THUMB_WEIGHT:.1f} + layout, limit {LAYOUT_MAX}) k={k:2d}: placed right "
                f"{placed:.2%}, wrong {wrong_j}, unknowns rejected {rej:.2%}; "
                f"errors: {confusions(te_s, ans)}",
                flush=True,
            )
        for view in vt:
            for k in KS:
                idx = [i for i, s in enumerate(tr_s) if tr_s[: i + 1].count(s) <= k]
                protos, ps = vt[view][idx], [tr_s[i] for i in idx]
                got, d, ans = place(protos, ps, ve[view], MAX_DIST)
                acc_any = np.mean([g == s for g, s in zip(got, te_s, strict=True)])
                _, du, ans_u = place(protos, ps, vu[view], MAX_DIST)
                line = f"  {view:9s} k={k:2d}: nearest right {acc_any:.2%}"
                if view.startswith("joined"):
                    placed = np.mean([g == s for g, s in zip(ans, te_s, strict=True)])
                    wrong_j = sum(g not in (s, UNKNOWN) for g, s in zip(ans, te_s, strict=True))
                    rejected = np.mean([u == UNKNOWN for u in ans_u])
                    line += (
                        f"; placed right {placed:.2%}, wrong {wrong_j}, unknowns rejected "
                        f"{rejected:.2%} (known d q99 {np.quantile(d, 0.99):.3f} max "
                        f"{d.max():.3f}; unknown d min {du.min():.3f} q01 {np.quantile(du, 0.01):.3f}); "
                        f"errors: {confusions(te_s, ans)}"
                    )
                print(line, flush=True)
    return 0


def recording(game: ForeignGame, visits: int, seed: int) -> tuple[Image, list[str]]:
    """A play-through: every screen ``visits`` times in a shuffled order, 4-20 frames a visit,
    an unknown screen (2-6 frames) between some visits."""
    rng = np.random.default_rng(seed)
    order = [s for s in UI_STATES for _ in range(visits)]
    rng.shuffle(order)
    frames: list[Image] = []
    truth: list[str] = []
    for s in order:
        for _ in range(int(rng.integers(4, 21))):
            frames.append(small(game.frame(s, rng)))
            truth.append(s)
        if rng.random() < 0.3:
            for _ in range(int(rng.integers(2, 7))):
                frames.append(small(game.unknown_frame(rng)))
                truth.append(UNKNOWN)
    return np.stack(frames), truth


def asked_group(unplaced: list[int], desc: F32, lay: F32, min_group: int) -> list[int]:
    """The group asked about next: the largest group of unplaced frames, cut to its centre's
    layout (gallery.same_layout); when none of ``min_group`` is left, grouped wider
    (GROUP_WIDER: a screen whose frames vary more than GROUP_DIST among themselves)."""
    for radius in (GROUP_DIST, *GROUP_WIDER):
        groups = group_frames(desc[unplaced], radius) if unplaced else []
        if groups:
            group = same_layout([unplaced[j] for j in groups[0]], lay)
            if len(group) >= min_group:
                return group
    return []


def cmd_teach(a: argparse.Namespace) -> int:
    """The recording's frames grouped once (largest group first); a group of min_group+ frames
    whose centre no answered frame lies within GROUP_DIST of is asked about (the user answers
    for its centre); the rest are placed by the gallery afterwards. With --iterative, as the
    scriptor teaches while it runs: only the frames the gallery cannot place are grouped, the
    largest group is asked about, and the gallery places again; Auto (the scriptor's default,
    services/scriptor/teach.py) asks no more once every state is taught, Ask goes on until no
    group is left: both are printed."""
    emb = Embedder.load(DEFAULT_MODEL)
    game = ForeignGame(a.seed)
    frames, truth = recording(game, a.visits, a.seed + 5)
    e = emb.small_batch(frames)
    desc, lay = e.descriptors, e.layouts
    agree = [p.state for p in e.predictions]
    t0 = time.perf_counter()
    g = ScreenGallery(emb.model_id)
    label: dict[int, str] = {}
    dismissed: list[int] = []
    answers = wrong_groups = nones = 0
    seen: list[F32] = []  # every answered frame (screens and "none"), to spot a group already told
    left = [] if a.iterative else list(range(len(frames)))
    while left:  # as add_img on a folder: the largest group of the frames left, cut by layout
        largest = [left[j] for j in group_frames(desc[left])[0]]
        if len(largest) < a.min_group:
            break
        group = same_layout(largest, lay)
        left = [i for i in left if i not in set(group)]
        if len(group) < a.min_group:
            continue
        if seen and float((1.0 - np.stack(seen) @ desc[group[0]]).min()) <= GROUP_DIST:
            continue  # a part of an answered group's screen: placed below, not asked
        seen += [desc[i] for i in group]
        answer = truth[group[0]]
        answers += 1
        nones += answer == UNKNOWN
        wrong_groups += any(truth[i] != answer for i in group)
        for i in group:
            label[i] = answer
            if answer != UNKNOWN:
                g.add(answer, desc[i], str(i), lay[i])
    auto: str | None = None  # the outcome where Auto stops asking
    while a.iterative:
        if auto is None and len(set(g.states)) == len(UI_STATES):
            auto = outcome(
                "Auto (asks no more once every state is taught)",
                answers,
                nones,
                wrong_groups,
                g,
                label,
                truth,
                desc,
                lay,
                agree,
            )
        rest = [i for i in range(len(frames)) if i not in label]
        places = g.place(desc[rest], lay[rest], agree=[agree[i] for i in rest]) if len(g) and rest else []
        unplaced = [i for k, i in enumerate(rest) if not places or places[k].state == UNKNOWN]
        if dismissed and unplaced:  # a screen answered "none of the 34" is not asked again
            near = (1.0 - desc[unplaced] @ desc[dismissed].T).min(1) <= MAX_DIST
            unplaced = [i for i, n in zip(unplaced, near, strict=True) if not n]
        group = asked_group(unplaced, desc, lay, a.min_group)
        if not group:
            break
        answer = truth[group[0]]
        answers += 1
        nones += answer == UNKNOWN
        wrong_groups += any(truth[i] != answer for i in group)
        for i in group:
            label[i] = answer
            if answer == UNKNOWN:
                dismissed.append(i)
            else:
                g.add(answer, desc[i], str(i), lay[i])
    secs = time.perf_counter() - t0
    known = sum(t != UNKNOWN for t in truth)
    print(
        f"recording: {len(frames)} frames ({known} of the 34 screens, {a.visits} visits each; "
        f"{len(truth) - known} of unknown screens); "
        f"{'iterative' if a.iterative else 'grouped once'}: groups of {a.min_group}+ frames within "
        f"{GROUP_DIST}, largest first; {secs:.1f} s"
    )
    if a.iterative:
        print(auto or "Auto: never covered (a state untaught): as Ask")
    print(
        outcome(
            "Ask (until no group is left)" if a.iterative else "grouped once",
            answers,
            nones,
            wrong_groups,
            g,
            label,
            truth,
            desc,
            lay,
            agree,
        )
    )
    return 0


def outcome(
    mode: str,
    answers: int,
    nones: int,
    wrong_groups: int,
    g: ScreenGallery,
    answered: dict[int, str],
    truth: list[str],
    desc: F32,
    lay: F32,
    agree: list[str],
) -> str:
    """The answers so far and where every frame ends: answered, else placed by the gallery."""
    label = dict(answered)
    rest = [i for i in range(len(truth)) if i not in label]
    final = g.place(desc[rest], lay[rest], agree=[agree[i] for i in rest]) if rest and len(g) else []
    for k, i in enumerate(rest):
        label[i] = final[k].state if final else UNKNOWN
    got = [label[i] for i in range(len(truth))]
    on_wrong = sum(t != UNKNOWN and x not in (t, UNKNOWN) for t, x in zip(truth, got, strict=True))
    unknown = sum(t != UNKNOWN and x == UNKNOWN for t, x in zip(truth, got, strict=True))
    let_in = sum(t == UNKNOWN and x != UNKNOWN for t, x in zip(truth, got, strict=True))
    untaught = [s for s in UI_STATES if s not in g.states]
    return (
        f"{mode}: {answers} answers ({nones} of them 'none of the 34'); {wrong_groups} groups held a "
        f"frame of another screen; screens taught: {len(set(g.states))} of {len(UI_STATES)} "
        f"(not: {', '.join(untaught) or '-'}); in the end {on_wrong} of {len(truth)} frames on a wrong "
        f"screen, {unknown} frames of the 34 screens unknown, {let_in} of the unknown screens' "
        f"placed; errors: {confusions(truth, got)}"
    )


def cmd_trained(a: argparse.Namespace) -> int:
    from services.recognition.ui.checkpoint import load_checkpoint
    from services.recognition.ui.labels import LABEL_ID
    from services.recognition.ui.train import TrainOptions, train

    if a.set == "simulator":
        tr, tr_s, _unk_tr = simulator_set(a.per_state, 0, a.seed)
        te, te_s, unk = simulator_set(a.test, 100, a.seed + 1)
    else:
        game = ForeignGame(a.seed)
        tr, tr_s, _unk_tr = foreign_set(game, a.per_state, 0, a.seed + 2)
        te, te_s, unk = foreign_set(game, a.test, 100, a.seed + 3)
    path = Path(a.out)
    if not a.reuse:  # else the model a run with the same seed left at --out
        labels = np.array([LABEL_ID[s] for s in tr_s], np.int64)
        init, _ = load_checkpoint(DEFAULT_MODEL.with_suffix(".pt"))
        recipe = {"min_epoch_samples": a.min_samples, "mix_fraction": a.mix}
        recipe = {k: v for k, v in recipe.items() if v is not None}  # else the product's defaults
        opts = TrainOptions(epochs=a.epochs, width_mult=init.width_mult, threads=1, seed=a.seed, **recipe)
        print(f"recipe: {opts.epochs} epochs of >= {opts.min_epoch_samples} samples, mix {opts.mix_fraction}")
        t0 = time.perf_counter()
        res = train(tr, labels, opts, init=init, log=lambda m: print(m, flush=True))
        print(f"trained {a.epochs} epochs on {len(labels)} frames in {time.perf_counter() - t0:.0f} s")
        from services.recognition.ui.onnx_model import export_onnx

        export_onnx(res.model, path, res.meta)
    clf = UIClassifier(path)
    preds = clf.classify_small(np.concatenate([te, unk]))
    known = preds[: len(te)]
    right = np.mean([p.state == s for p, s in zip(known, te_s, strict=True)])
    wrong = [
        (s, p.state, round(p.confidence, 2))
        for p, s in zip(known, te_s, strict=True)
        if p.state not in (s, UNKNOWN)
    ]
    rej = np.mean([p.state == UNKNOWN for p in preds[len(te) :]])
    print(
        f"held-out {len(te)} frames of the {a.set}: {right:.2%} placed right, {len(wrong)} placed on a "
        f"wrong screen {wrong[:8]} ({sum(w[2] >= CONFIDENT for w in wrong)} confident); "
        f"unknowns rejected {rej:.2%}"
    )
    with tempfile.TemporaryDirectory() as tmp:  # the product's reader on these frames
        for k, (f, s) in enumerate(zip(tr, tr_s, strict=True)):
            ok, png = cv2.imencode(".png", f)
            assert ok
            add_frame(png.tobytes(), dataset_dir(Path(tmp)), s, f"f{k}.png")
        reader = ScreenReader(Path(tmp), model=path)
        got_r = reader.read_small(np.concatenate([te, unk]))
        ch = reader.choice
        for name, by in (("as measured", ch.by), ("model forced", "model")):
            reader.choice = Choice(by, ch.frames, ch.gallery_accuracy, ch.model_accuracy)
            got_r = reader.read_small(np.concatenate([te, unk]))
            kn = got_r[: len(te)]
            wrong_r = [
                (s, r.state, round(r.confidence, 2))
                for r, s in zip(kn, te_s, strict=True)
                if r.state not in (s, UNKNOWN)
            ]
            print(
                f"the scriptor's reader ({name}: {by}; choice measured gallery {ch.gallery_accuracy:.2%} "
                f"against model {ch.model_accuracy:.2%} on {ch.frames} frames): "
                f"{np.mean([r.state == s for r, s in zip(kn, te_s, strict=True)]):.2%} placed right, "
                f"{len(wrong_r)} on a wrong screen {wrong_r[:8]} "
                f"({sum(w[2] >= CONFIDENT for w in wrong_r)} confident); "
                f"unknowns rejected {np.mean([r.state == UNKNOWN for r in got_r[len(te) :]]):.2%}"
            )
    emb = Embedder(clf)
    et, ee = emb.small_batch(tr), emb.small_batch(te)
    _, _, got = place(et.descriptors, tr_s, ee.descriptors, MAX_DIST, et.layouts, ee.layouts)
    print(
        f"the gallery in this model's features ({a.per_state} per state): "
        f"{np.mean([g == s for g, s in zip(got, te_s, strict=True)]):.2%} placed right"
    )
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("few")
    f.add_argument("--test", type=int, default=10)
    f.add_argument("--unknowns", type=int, default=300)
    f.add_argument("--weights", type=lambda v: [float(x) for x in v.split(",")], default=[0.5, 0.7])
    f.set_defaults(fn=cmd_few)
    t = sub.add_parser("teach")
    t.add_argument("--visits", type=int, default=3)
    t.add_argument("--min-group", type=int, default=4)
    t.add_argument("--iterative", action="store_true")
    t.set_defaults(fn=cmd_teach)
    r = sub.add_parser("trained")
    r.add_argument("--per-state", type=int, default=10)
    r.add_argument("--epochs", type=int, default=6)
    r.add_argument("--test", type=int, default=5, help="held-out frames per state")
    r.add_argument("--set", choices=("other game", "simulator"), default="other game")
    r.add_argument("--min-samples", type=int, help="TrainOptions.min_epoch_samples (default: the product's)")
    r.add_argument("--mix", type=float, help="TrainOptions.mix_fraction (default: the product's)")
    r.add_argument("--out", default="/tmp/bench_ui_gallery.onnx")
    r.add_argument("--reuse", action="store_true", help="evaluate the model at --out, no training")
    r.set_defaults(fn=cmd_trained)
    a = p.parse_args()
    return int(a.fn(a))


if __name__ == "__main__":
    raise SystemExit(main())
