"""Frames that are none of the 34 screens, generated for the ``unknown`` rejection class
(on top of any the user labelled ``unknown``): flat and gradient fills, noise, colour
blocks, and known screens cut into tiles and shuffled, blended with a shuffled one or
inverted. The last three look like game screens in their colours and textures but in no known
layout, which is what teaches the model to reject layouts rather than palettes."""

from __future__ import annotations

import cv2
import numpy as np

from services.recognition.ui.preprocess import H, Image, W


def _fill(rng: np.random.Generator) -> Image:
    a, b = rng.integers(0, 256, (2, 3))
    t = np.linspace(0, 1, W if rng.random() < 0.5 else H, dtype=np.float32)
    ramp = a[None] * (1 - t[:, None]) + b[None] * t[:, None]
    img = (
        np.broadcast_to(ramp[None], (H, W, 3))
        if ramp.shape[0] == W
        else np.broadcast_to(ramp[:, None], (H, W, 3))
    )
    return np.ascontiguousarray(img, dtype=np.uint8)


def _blocks(rng: np.random.Generator) -> Image:
    img = _fill(rng)
    for _ in range(int(rng.integers(2, 12))):
        x, y = int(rng.integers(0, W - 8)), int(rng.integers(0, H - 8))
        w, h = int(rng.integers(6, W // 2)), int(rng.integers(4, H // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + w, y + h), colour, -1)
        else:
            cv2.circle(img, (x, y), max(3, h // 2), colour, -1)
    return img


def _tiles(src: Image, rng: np.random.Generator) -> Image:
    ty, tx = int(rng.choice([3, 5, 9])), int(rng.choice([4, 5, 8]))
    th, tw = H // ty, W // tx
    tiles = [src[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(ty) for c in range(tx)]
    order = rng.permutation(len(tiles))
    rows = [np.concatenate([tiles[order[r * tx + c]] for c in range(tx)], 1) for r in range(ty)]
    return cv2.resize(np.concatenate(rows, 0), (W, H), interpolation=cv2.INTER_NEAREST)


def _blend(src: Image, other: Image) -> Image:
    return cv2.addWeighted(src, 0.5, other, 0.5, 0)


def _invert(src: Image) -> Image:
    return np.ascontiguousarray(255 - src)


# A derived frame must differ from its source by at least this mean absolute level: a
# near-uniform screen (loading) shuffled or blended is still that screen, not an unknown.
MIN_CHANGE = 12.0


def _derived(known: Image, kind: int, rng: np.random.Generator) -> Image | None:
    src = known[int(rng.integers(len(known)))]
    if kind == 2:
        out = _tiles(src, rng)
    elif kind == 3:
        out = _blend(src, _tiles(known[int(rng.integers(len(known)))], rng))
    else:
        out = _invert(src)
    change = float(np.abs(out.astype(np.int16) - src.astype(np.int16)).mean())
    return out if change >= MIN_CHANGE else None


def synthetic_unknowns(n: int, rng: np.random.Generator, known: Image | None = None) -> Image:
    """``n`` 90x160 BGR frames of no known screen; ``known`` (N, 90, 160, 3) feeds the
    layout-breaking kinds."""
    out = np.empty((n, H, W, 3), np.uint8)
    for i in range(n):
        kind = int(rng.integers(0, 5 if known is not None and len(known) else 2))
        if kind == 0:
            out[i] = _fill(rng) if rng.random() < 0.3 else _blocks(rng)
        elif kind == 1:
            out[i] = np.clip(_fill(rng) + rng.normal(0, 40, (H, W, 3)), 0, 255).astype(np.uint8)
        else:
            assert known is not None
            got = _derived(known, kind, rng)
            out[i] = got if got is not None else _blocks(rng)
    return out
