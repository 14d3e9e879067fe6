"""``show_features_statistic``: how far apart different songs are in the embedding.

Samples m pairs of different songs, histograms their cosine similarity, and compares the
best different-song similarity with the worst similarity of a song to a perturbed query of
itself (positive gap = a threshold exists that separates them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.recognition.song.augment import USER, perturb
from services.recognition.song.recognizer import SongRecognizer
from services.recognition.song.store import read_gray


def similarity_histogram(sims: np.ndarray, bins: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Counts and edges of cosine similarities over [-1, 1], every value counted: float32
    rounding puts identical titles' similarity a hair above 1 (or below -1), which
    ``np.histogram``'s range would drop."""
    return np.histogram(np.clip(sims, -1.0, 1.0), bins=bins, range=(-1.0, 1.0))


def show_features_statistic(
    rec: SongRecognizer, m: int = 2048, seed: int = 0, known_queries: int = 256
) -> dict[str, Any]:
    g = rec.gallery
    if len(g) < 2:
        raise ValueError("statistics need at least 2 songs in the gallery")
    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(g), m)
    b = (a + rng.integers(1, len(g), m)) % len(g)  # never the same song
    diff = np.einsum("ij,ij->i", g.vectors[a], g.vectors[b])
    pick = rng.choice(len(g), min(known_queries, len(g)), replace=False)
    imgs = np.stack([read_gray(rec.title_dir / f"t-{g.ids[int(k)]}.png") for k in pick])
    q = rec._embed(perturb(imgs, USER, rng))
    same = np.einsum("ij,ij->i", q, g.vectors[pick])
    counts, edges = similarity_histogram(diff)
    return {
        "pairs": m,
        "min": float(diff.min()),
        "max": float(diff.max()),
        "mean": float(diff.mean()),
        "worst_known": float(same.min()),
        "best_different": float(diff.max()),
        "gap": float(same.min() - diff.max()),
        "histogram": {"edges": [round(float(e), 4) for e in edges], "counts": [int(c) for c in counts]},
        "known": {"queries": len(same), "min": float(same.min()), "mean": float(same.mean())},
    }


def histogram_png(stats: dict[str, Any]) -> bytes:
    from services.recognition.common.figures import png, subplots

    edges = np.asarray(stats["histogram"]["edges"])
    counts = np.asarray(stats["histogram"]["counts"])
    fig, ax = subplots((6, 3.2), 100)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#4a7bd0", label="different songs")
    ax.axvline(
        stats["worst_known"], color="#c0392b", ls="--", label=f"worst known match {stats['worst_known']:.3f}"
    )
    ax.set_xlabel("cosine similarity")
    ax.set_ylabel("pairs")
    ax.set_title(
        f"{stats['pairs']} pairs: min {stats['min']:.3f}, max {stats['max']:.3f}, gap {stats['gap']:.3f}"
    )
    ax.legend(fontsize=8)
    return png(fig)
