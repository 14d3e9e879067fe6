from __future__ import annotations

from pathlib import Path

import numpy as np

from services.recognition.song.augment import USER, perturb, shift_batch
from services.recognition.song.batches import BatchMaker, triplet_indices
from services.recognition.song.store import load_title_images


def test_arcface_batch_is_classes_times_thresholds(title_dir: Path) -> None:
    _, imgs = load_title_images(title_dir)
    bm = BatchMaker(imgs, 8, augment=None, seed=1)
    b = bm.arcface_batch()
    assert b.x.shape == (40, 1, 36, 450) and b.x.dtype == np.float32
    assert set(np.unique(b.x)) <= {0.0, 1.0}
    labels = b.labels.reshape(8, 5)
    assert (labels == labels[:, :1]).all() and len(set(labels[:, 0])) == 8
    # Without augmentation, a higher threshold marks more pixels as text.
    ink = b.x.reshape(8, 5, -1).sum(2)
    assert (np.diff(ink, axis=1) >= 0).all() and (ink[:, 4] > ink[:, 0]).all()


def test_every_class_is_seen_once_per_pass(title_dir: Path) -> None:
    _, imgs = load_title_images(title_dir)
    bm = BatchMaker(imgs, 4, augment=USER, seed=2)
    seen = np.concatenate([np.unique(bm.arcface_batch().labels) for _ in range(3)])
    assert sorted(seen.tolist()) == list(range(12))


def test_triplet_batch_has_clean_images_first(title_dir: Path) -> None:
    _, imgs = load_title_images(title_dir)
    bm = BatchMaker(imgs, 5, thresholds=(150, 155, 165, 170), seed=3)
    b = bm.triplet_batch(copies=3)
    assert b.x.shape == (5 * 4, 1, 36, 450)
    assert b.is_clean[:5].all() and not b.is_clean[5:].any()
    assert (np.sort(b.labels[5:].reshape(5, 3)[:, 0]) == np.sort(b.labels[:5])).all()


def test_shift_moves_pixels_and_replicates_edges() -> None:
    a = np.zeros((1, 36, 450), np.float32)
    a[0, 10, 100] = 1
    s = shift_batch(a, np.array([3]), np.array([-10]))
    assert s[0, 13, 90] == 1 and s.sum() == 1


def test_perturbation_respects_the_ranges(title_dir: Path) -> None:
    _, imgs = load_title_images(title_dir)
    out = perturb(imgs, USER, np.random.default_rng(0))
    assert out.shape == imgs.shape and out.dtype == np.uint8
    assert not np.array_equal(out, imgs)


def test_semi_hard_mining() -> None:
    # 1-d "embeddings" on a circle: class 0 clean at angle 0, its anchor at 0.3;
    # class 1 clean at 0.2 (closer than the positive: not semi-hard), class 2 at 0.5,
    # class 3 at 0.9, class 4 at 2.0.
    ang = np.array([0.0, 0.2, 0.5, 0.9, 2.0, 0.3])
    emb = np.stack([np.cos(ang), np.sin(ang)], 1).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 4, 0])
    clean = np.array([True, True, True, True, True, False])
    a, p, n = triplet_indices(emb, labels, clean, k=2)
    assert a.tolist() == [5, 5] and p.tolist() == [0, 0]
    # d(anchor, positive) = chord(0.3); semi-hard = farther than that: angles 0.9 (0.6 away)
    # and 2.0; 0.5 (0.2 away) and 0.2 (0.1 away) are closer than the positive.
    assert n.tolist() == [3, 4]
    # Asking for more than the semi-hard ones falls back to the nearest others.
    _, _, n4 = triplet_indices(emb, labels, clean, k=4)
    assert n4.tolist()[:2] == [3, 4] and sorted(n4.tolist()[2:]) == [1, 2]
