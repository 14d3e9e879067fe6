"""Augmentation: what capture does to frames (brightness, noise, JPEG, a few pixels of
shift and scale), applied to the 90x160 copy the dataset keeps (one pixel here is eight in
a 1280x720 frame), so an epoch costs no full-size decoding. ``TRAIN`` is deliberately
harder than capture (it teaches the network to ignore it); ``CAPTURE`` is what a capture
looks like at this size, and is what the rejection limits are set on."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from services.recognition.ui.preprocess import Image


@dataclass(frozen=True)
class Strength:
    shift_px: float = 1.0  # at 160x90: 8 px of a 1280x720 frame
    scale: float = 0.03  # +-3 %
    brightness: float = 0.2  # gain 1 +- 0.2
    offset: float = 15.0  # added level, 0-255
    noise: float = 4.0  # Gaussian sigma, 0-255
    jpeg: tuple[int, int] = (35, 95)  # quality range, applied to half the frames


TRAIN = Strength()
# The simulator's capture range (brightness +-15 %, noise sigma <= 8, JPEG 40-95, <= 6 px of
# shift, 3 % scale at 1280x720) seen after the INTER_AREA resize: noise averages down 8x,
# shift is under a pixel, a full-size JPEG leaves little; gain and scale stay as they are.
CAPTURE = Strength(shift_px=0.75, scale=0.03, brightness=0.15, offset=4.0, noise=1.0, jpeg=(75, 95))


def augment(img: Image, rng: np.random.Generator, s: Strength = TRAIN) -> Image:
    h, w = img.shape[:2]
    k = 1.0 + rng.uniform(-s.scale, s.scale)
    dx, dy = rng.uniform(-s.shift_px, s.shift_px, 2)
    m = np.array([[k, 0, (1 - k) * w / 2 + dx], [0, k, (1 - k) * h / 2 + dy]], np.float32)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    f = out.astype(np.float32) * (1.0 + rng.uniform(-s.brightness, s.brightness))
    f += rng.uniform(-s.offset, s.offset) + rng.normal(0, rng.uniform(0, s.noise), f.shape)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        q = int(rng.integers(s.jpeg[0], s.jpeg[1] + 1))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
        dec = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if dec is not None:
            out = dec
    return out


def augment_batch(imgs: Image, rng: np.random.Generator, s: Strength = TRAIN) -> Image:
    return np.stack([augment(i, rng, s) for i in imgs])


# Same-screen mixing: a frame with 1-3 boxes (25-60 % of each side) taken from another frame of
# the same screen at the same place. Frames of a screen share their layout and differ in what a
# screen shows anew each time (a jacket, a character, names, counters), so the mix is another
# plausible frame of that screen, meant to keep a network given ten frames a screen from learning
# their pictures by heart rather than the button row that tells it from a sibling (measured in
# docs/recognition.md: no clear gain on the other game, whose pictures are random colour blocks).
MIX_BOXES = (1, 3)
MIX_SIDE = (0.25, 0.6)


def mix_same_screen(img: Image, other: Image, rng: np.random.Generator) -> Image:
    """``img`` with a few boxes of ``other`` (a frame of the same screen, same size) pasted in
    at the same places."""
    out = img.copy()
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(MIX_BOXES[0], MIX_BOXES[1] + 1))):
        bw, bh = (round(rng.uniform(*MIX_SIDE) * n) for n in (w, h))
        x, y = int(rng.integers(0, w - bw + 1)), int(rng.integers(0, h - bh + 1))
        out[y : y + bh, x : x + bw] = other[y : y + bh, x : x + bw]
    return out
