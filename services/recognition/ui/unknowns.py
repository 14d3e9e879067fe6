"""Frames that are none of the 34 screens, generated for the ``unknown`` rejection class
(outlier exposure, on top of any the user labelled ``unknown``): flat and gradient fills,
noise, colour blocks, smooth photo-like colour fields, and known screens cut into tiles and
shuffled, blended with a shuffled one, inverted, half drawn, zoomed into, or turned. The
derived kinds look like game screens in their colours and textures but in no known layout,
which is what teaches the model to reject layouts rather than palettes.

The benchmark measures rejection on kinds drawn by other code, some of them resembling
nothing here (scripts/ui_unknown_kinds.py), so the number is not this generator's own."""

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


def _smooth(rng: np.random.Generator) -> Image:
    """Photo-like: a few random colours interpolated over the frame, with grain."""
    cells = int(rng.integers(2, 10))
    grid = rng.integers(0, 256, (cells, cells * 2, 3)).astype(np.uint8)
    img = cv2.resize(grid, (W, H), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    img += rng.normal(0, float(rng.uniform(0, 15)), img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _partial(src: Image, rng: np.random.Generator) -> Image:
    """A screen half drawn: one side of it (15-60 %) there, the rest one colour."""
    out = np.empty_like(src)
    out[:] = rng.integers(0, 256, 3) if rng.random() < 0.4 else rng.integers(0, 50, 3)
    side = int(rng.integers(4))
    k = float(rng.uniform(0.15, 0.6))
    kh, kw = max(1, int(H * k)), max(1, int(W * k))
    if side == 0:
        out[:kh] = src[:kh]
    elif side == 1:
        out[H - kh :] = src[H - kh :]
    elif side == 2:
        out[:, :kw] = src[:, :kw]
    else:
        out[:, W - kw :] = src[:, W - kw :]
    return out


def _zoom(src: Image, rng: np.random.Generator) -> Image:
    """A 2-4x zoom into a random part of a screen."""
    z = float(rng.uniform(2.0, 4.0))
    h, w = int(H / z), int(W / z)
    y, x = int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))
    return cv2.resize(src[y : y + h, x : x + w], (W, H), interpolation=cv2.INTER_LINEAR)


def _turn(src: Image, rng: np.random.Generator) -> Image:
    """Mirrored, turned a quarter (squeezed back to 16:9), or by 15-60 degrees."""
    kind = int(rng.integers(4))
    if kind == 0:
        return np.ascontiguousarray(src[:, ::-1])
    if kind == 1:
        return np.ascontiguousarray(src[::-1])
    if kind == 2:
        return cv2.resize(np.ascontiguousarray(np.rot90(src)), (W, H), interpolation=cv2.INTER_AREA)
    angle = float(rng.uniform(15, 60)) * (1 if rng.random() < 0.5 else -1)
    m = cv2.getRotationMatrix2D((W / 2, H / 2), angle, 1.0)
    return cv2.warpAffine(src, m, (W, H))


def _blend(src: Image, other: Image) -> Image:
    return cv2.addWeighted(src, 0.5, other, 0.5, 0)


def _invert(src: Image) -> Image:
    return np.ascontiguousarray(255 - src)


# A derived frame must differ from its source by at least this mean absolute level: a
# near-uniform screen (loading) shuffled or blended is still that screen, not an unknown.
MIN_CHANGE = 12.0


DERIVED = ("tiles", "blend", "invert", "partial", "zoom", "turn")
DRAWN = ("blocks", "noise", "smooth")


def _derived(known: Image, kind: str, rng: np.random.Generator) -> Image | None:
    src = known[int(rng.integers(len(known)))]
    if kind == "tiles":
        out = _tiles(src, rng)
    elif kind == "blend":
        out = _blend(src, _tiles(known[int(rng.integers(len(known)))], rng))
    elif kind == "invert":
        out = _invert(src)
    elif kind == "partial":
        out = _partial(src, rng)
    elif kind == "zoom":
        out = _zoom(src, rng)
    else:
        out = _turn(src, rng)
    change = float(np.abs(out.astype(np.int16) - src.astype(np.int16)).mean())
    return out if change >= MIN_CHANGE else None


def _drawn(kind: str, rng: np.random.Generator) -> Image:
    if kind == "blocks":
        return _fill(rng) if rng.random() < 0.3 else _blocks(rng)
    if kind == "noise":
        return np.clip(_fill(rng) + rng.normal(0, 40, (H, W, 3)), 0, 255).astype(np.uint8)
    return _smooth(rng)


def synthetic_unknowns(n: int, rng: np.random.Generator, known: Image | None = None) -> Image:
    """``n`` 90x160 BGR frames of no known screen; ``known`` (N, 90, 160, 3) feeds the
    layout-breaking kinds (two thirds of the frames when given)."""
    kinds = DRAWN + DERIVED if known is not None and len(known) else DRAWN
    out = np.empty((n, H, W, 3), np.uint8)
    for i in range(n):
        kind = str(kinds[int(rng.integers(len(kinds)))])
        got = None
        if kind in DERIVED:
            assert known is not None
            got = _derived(known, kind, rng)
        out[i] = got if got is not None else _drawn(kind if kind in DRAWN else "blocks", rng)
    return out
