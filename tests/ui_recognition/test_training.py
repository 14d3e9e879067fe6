"""A tiny training run, ONNX parity with torch, the classifier's rejection, and refusal of
corrupt or mismatched model files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from services.recognition.ui import UIClassifier
from services.recognition.ui.checkpoint import load_checkpoint
from services.recognition.ui.labels import LABELS, UNKNOWN
from services.recognition.ui.meta import ModelFileError
from services.recognition.ui.onnx_model import META_KEY
from services.recognition.ui.preprocess import to_input
from services.recognition.ui.train import class_weights, stratified_split, validation_sources
from services.recognition.ui.unknowns import MIN_CHANGE, synthetic_unknowns
from tests.ui_recognition.conftest import STATES, Tiny


def test_stratified_split_keeps_every_label_in_training() -> None:
    labels = np.array([0] * 10 + [1] * 3 + [2])
    tr, va = stratified_split(labels, 0.2, np.random.default_rng(0))
    assert sorted(np.concatenate([tr, va]).tolist()) == list(range(14))
    assert np.bincount(labels[va], minlength=3).tolist() == [2, 1, 0]
    assert set(labels[tr].tolist()) == {0, 1, 2}


def test_a_single_frame_label_is_validated_on_its_own_frame() -> None:
    labels = np.array([0] * 10 + [1] * 3 + [2])
    tr, va = stratified_split(labels, 0.2, np.random.default_rng(0))
    src = validation_sources(labels, tr, va)
    assert sorted(set(labels[src].tolist())) == [0, 1, 2]
    assert np.bincount(labels[src], minlength=3).tolist() == [2, 1, 1]


def test_generated_unknowns_are_none_of_the_known_frames() -> None:
    rng = np.random.default_rng(4)
    known = np.stack([np.tile(rng.integers(0, 256, (9, 16, 3)), (10, 10, 1)).astype(np.uint8)])
    odd = synthetic_unknowns(200, rng, known)
    change = np.abs(odd.astype(np.int16) - known[0].astype(np.int16)).mean(axis=(1, 2, 3))
    assert odd.shape == (200, 90, 160, 3) and change.min() >= MIN_CHANGE


def test_same_screen_mixing_pastes_boxes_of_the_other_frame_in_place() -> None:
    from services.recognition.ui.augment import MIX_SIDE, mix_same_screen

    rng = np.random.default_rng(3)
    a, b = np.zeros((90, 160, 3), np.uint8), np.full((90, 160, 3), 200, np.uint8)
    b[:, :, 0] = np.arange(160, dtype=np.uint8)[None]  # each column its own value: in place or not
    for _ in range(20):
        m = mix_same_screen(a, b, rng)
        from_b = (m == b).all(2)
        assert ((m == a).all(2) | from_b).all()  # every pixel is one frame's pixel at its own place
        assert from_b.sum() >= round(MIX_SIDE[0] * 160) * round(MIX_SIDE[0] * 90)  # at least one box
    assert not a.any()  # the frame itself is untouched


def test_frames_mix_only_with_other_frames_of_their_screen() -> None:
    from services.recognition.ui.labels import UNKNOWN_ID
    from services.recognition.ui.train import same_screen_frames

    labels = np.array([0, 1, 0, UNKNOWN_ID, 0, 2, UNKNOWN_ID])
    same = same_screen_frames(labels)
    assert [s.tolist() for s in same] == [[2, 4], [], [0, 4], [], [0, 2], [], []]


def test_few_frames_are_drawn_several_times_an_epoch() -> None:
    from services.recognition.ui.train import TrainOptions, epoch_samples

    opts = TrainOptions(min_epoch_samples=1024, max_repeats=4)
    assert epoch_samples(353, opts) == 1024  # 10 frames of each of 34 screens, with unknowns
    assert epoch_samples(20, opts) == 80  # a handful: at most 4 passes
    assert epoch_samples(5000, opts) == 5000  # many: one pass, as before
    assert epoch_samples(83, TrainOptions()) == 996  # 10 frames of 8 screens: 12 passes


def test_class_weights_balance_the_labels() -> None:
    w = class_weights(np.array([0] * 9 + [1] * 3), n=3)
    assert w[2] == 0 and w[1] == pytest.approx(3 * w[0]) and w[:2].mean() == pytest.approx(1.0)


def test_tiny_training_learns_the_states(tiny: Tiny) -> None:
    r = tiny.result
    assert r.best_epoch >= 1 and r.val_acc > 0.8  # type: ignore[attr-defined]
    assert r.confusion.shape == (35, 35)  # type: ignore[attr-defined]
    clf = UIClassifier(tiny.dir / "banguinet.onnx")
    preds = clf.classify_small(tiny.test_images)
    got = [p.state for p in preds]
    want = [LABELS[i] for i in tiny.test_labels]
    assert sum(g == w for g, w in zip(got, want, strict=True)) >= len(want) - 1
    assert all(0 <= p.confidence <= 1 and abs(sum(p.probs.values()) - 1) < 1e-4 for p in preds)


def test_unlike_frames_come_back_unknown(tiny: Tiny) -> None:
    clf = UIClassifier(tiny.dir / "banguinet.onnx")
    rng = np.random.default_rng(5)
    odd = synthetic_unknowns(30, rng)  # fills, blocks and noise: no known layout
    flat = np.full((1, 90, 160, 3), 128, np.uint8)
    preds = clf.classify_small(np.concatenate([odd, flat]))
    assert sum(p.state == UNKNOWN for p in preds) >= 2 * len(preds) // 3  # a tiny model; see the bench


def test_onnx_matches_torch(tiny: Tiny) -> None:
    model, meta = load_checkpoint(tiny.dir / "banguinet.pt")
    x = to_input(tiny.test_images[:6])
    with torch.no_grad():
        logits, feats = model.embed(torch.from_numpy(x))
    clf = UIClassifier(tiny.dir / "banguinet.onnx")
    o_logits, o_feats = clf.net(x)
    assert np.abs(o_logits - logits.numpy()).max() < 1e-3
    assert np.abs(o_feats - feats.numpy()).max() < 1e-3
    assert meta["labels"] == list(LABELS) and clf.meta["temperature"] == meta["temperature"]


def test_classify_full_frame(tiny: Tiny) -> None:
    import cv2

    from tests.ui_recognition.synthetic import layout_frame

    frame = cv2.resize(layout_frame(STATES[1], np.random.default_rng(7)), (1280, 720))
    p = UIClassifier(tiny.dir / "banguinet.onnx").classify(frame)
    assert p.state == STATES[1] and p.best == STATES[1]


def test_corrupt_and_mismatched_models_are_refused(tiny: Tiny, tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x01garbage" * 50)
    with pytest.raises(ModelFileError, match="not a readable ONNX model"):
        UIClassifier(bad)
    proto = onnx.load(str(tiny.dir / "banguinet.onnx"))
    entry = next(e for e in proto.metadata_props if e.key == META_KEY)
    meta = json.loads(entry.value)
    entry.value = json.dumps(meta | {"labels": meta["labels"][:-1]})
    other = tmp_path / "other.onnx"
    other.write_bytes(proto.SerializeToString())
    with pytest.raises(ModelFileError, match="labels"):
        UIClassifier(other)
    entry.value = json.dumps({"format": "autobang-titlenet"})
    other.write_bytes(proto.SerializeToString())
    with pytest.raises(ModelFileError, match="format"):
        UIClassifier(other)
    song = Path(__file__).resolve().parents[2] / "services/recognition/song/models/titlenet.onnx"
    with pytest.raises(ModelFileError):
        UIClassifier(song)
    torn = tmp_path / "torn.pt"
    torn.write_bytes((tiny.dir / "banguinet.pt").read_bytes()[:500])
    with pytest.raises(ModelFileError, match="not a readable checkpoint"):
        load_checkpoint(torn)
    with pytest.raises(FileNotFoundError):
        UIClassifier(tmp_path / "missing.onnx")


def test_recalibrate_rewrites_both_files(tiny: Tiny, tmp_path: Path) -> None:
    import shutil

    from services.recognition.ui.pipeline import recalibrate

    d = tmp_path / "m"
    shutil.copytree(tiny.dir, d)
    cal = recalibrate(d, tiny.test_images, tiny.test_labels, fit=(tiny.test_images, tiny.test_labels))
    clf = UIClassifier(d / "banguinet.onnx")
    assert clf.calibration.max_dist == pytest.approx(cal.max_dist, abs=1e-4)
    assert clf.calibration.max_maha == pytest.approx(cal.max_maha, abs=1e-4)
    assert load_checkpoint(d / "banguinet.pt")[1]["max_maha"] == pytest.approx(cal.max_maha, abs=1e-4)
    assert clf.meta["temperature"] == tiny.result.meta["temperature"]  # type: ignore[attr-defined]
    preds = clf.classify_small(tiny.test_images)
    assert all(p.distance <= cal.max_dist and p.spread <= 1.0 for p in preds)  # the calibration frames fit
    assert all(p.state == LABELS[i] for p, i in zip(preds, tiny.test_labels, strict=True))


def test_the_shipped_model_reads_simulator_screens() -> None:
    from services.simulator.perturb import Perturbation, perturb
    from services.simulator.screens import sample_screen, sample_unknown

    clf = UIClassifier()  # the shipped model
    assert clf.meta["width_mult"] == 0.35
    assert clf.calibration.whiten is not None and np.isfinite(clf.calibration.max_maha)
    rng = np.random.default_rng(123)
    rough = Perturbation(brightness=0.1, noise=6, jpeg_quality=60, shift=4, scale=0.02)
    for state in ("main_page", "ready", "playing", "award_score", "loading", "story_dialog"):
        p = clf.classify(perturb(sample_screen(state, rng), rough, rng))
        assert p.state == state and p.spread <= 1.0
    blank = np.zeros((720, 1280, 3), np.uint8)
    assert clf.classify(blank).state in (UNKNOWN, "loading")  # a black frame is no menu
    # The simulator's other screens: in the first shipped training, not in this fine-tune; the
    # benchmark measures 99 of 100 rejected (docs/recognition.md).
    odd = [clf.classify(perturb(sample_unknown(rng), rough, rng)) for _ in range(12)]
    assert sum(p.state == UNKNOWN for p in odd) >= 10
    assert odd[0].probs.keys() == set(LABELS)


def test_rejection_is_calibrated_on_capture_like_copies(tiny: Tiny) -> None:
    """The trained model's limits are those of capture-like copies of its validation frames;
    copies augmented as training augments (the former recipe) spread further and would set
    a looser distance limit. The comparison frames hold every trained state and generated unknowns."""
    from services.recognition.ui.augment import CAPTURE, TRAIN
    from services.recognition.ui.labels import UNKNOWN_ID
    from services.recognition.ui.train import (
        TrainOptions,
        calibrate_model,
        known_frames,
        split_dataset,
        validation_unknowns,
    )
    from tests.ui_recognition.conftest import frames

    r = tiny.result
    imgs, labels = frames(STATES, 6, seed=0)  # the fixture's training frames and options
    opts = TrainOptions()
    split = split_dataset(labels, opts.val_fraction, np.random.default_rng(opts.seed))
    known = known_frames(imgs, labels, split)
    unk = validation_unknowns(max(4, max(8, int(opts.unknown_fraction * len(known))) // 4), 1, known)
    capture = calibrate_model(r.model, imgs, labels, split, unk, opts.seed)  # type: ignore[attr-defined]
    harder = calibrate_model(r.model, imgs, labels, split, unk, opts.seed, TRAIN)  # type: ignore[attr-defined]
    meta = r.meta  # type: ignore[attr-defined]
    assert meta["max_maha"] == pytest.approx(capture.max_maha, rel=1e-4)
    assert meta["max_dist"] == pytest.approx(capture.max_dist, rel=1e-4)
    assert meta["temperature"] == pytest.approx(capture.temperature, rel=1e-4)
    # The cosine limit is the spread itself; the Mahalanobis one is measured in units of the
    # covariance fitted on the same copies, which widens with them (no order to expect).
    assert capture.max_dist < harder.max_dist
    assert CAPTURE.noise < TRAIN.noise and CAPTURE.shift_px < TRAIN.shift_px
    check = set(r.check_labels.tolist())  # type: ignore[attr-defined]
    assert check == set(labels.tolist()) | {UNKNOWN_ID}


@pytest.mark.slow
def test_ten_frames_of_another_game_fine_tune_without_confident_wrong_screens(tmp_path: Path) -> None:
    """The trained path with the product's recipe (few-frames epochs, same-screen mixing),
    fine-tuned from the shipped model on ten frames each of eight screens of the other game,
    two families of siblings among them (the pairs the one-pass recipe confused: choose /
    compete, failed / failed_again); docs/recognition.md measures all 34 screens."""
    from services.recognition.ui.classifier import DEFAULT_MODEL
    from services.recognition.ui.labels import LABEL_ID
    from services.recognition.ui.onnx_model import export_onnx
    from services.recognition.ui.preprocess import small
    from services.recognition.ui.train import TrainOptions, train
    from services.scriptor.loop import MIN_CONFIDENCE
    from services.testing.foreign_screens import ForeignGame

    states = ["choose", "compete", "failed", "failed_again", "download", "main_page", "ready", "award"]
    game = ForeignGame(0)

    def draw(per: int, seed: int) -> tuple[np.ndarray, list[str]]:
        rng = np.random.default_rng(seed)
        return np.stack([small(game.frame(s, rng)) for s in states for _ in range(per)]), [
            s for s in states for _ in range(per)
        ]

    imgs, names = draw(10, 2)
    init, _ = load_checkpoint(DEFAULT_MODEL.with_suffix(".pt"))
    opts = TrainOptions(epochs=6, width_mult=init.width_mult, threads=1)
    r = train(imgs, np.array([LABEL_ID[s] for s in names], np.int64), opts, init=init, log=lambda _m: None)
    export_onnx(r.model, tmp_path / "m.onnx", r.meta)
    test, truth = draw(10, 3)
    got = [
        (s, p.state, p.confidence)
        for p, s in zip(UIClassifier(tmp_path / "m.onnx").classify_small(test), truth, strict=True)
    ]
    misses = [g for g in got if g[1] != g[0]]
    assert len(misses) <= 1, misses  # 79 of 80 placed
    assert not [m for m in misses if m[1] != UNKNOWN and m[2] >= MIN_CONFIDENCE], misses
