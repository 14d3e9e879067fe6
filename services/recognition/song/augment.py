"""Perturbations of raw grey crops, vectorised over a batch (numpy + a few cv2 calls).

Used three ways: training augmentation, the evaluation's 'user' and 'hard' query sets, and
the tests. Everything takes a ``numpy.random.Generator`` so runs are reproducible."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.song.preprocess import H, W


@dataclass(frozen=True)
class Perturb:
    """Ranges of one perturbation family (all applied to raw 0..255 grey crops)."""

    max_dy: int = 3
    max_dx: int = 10
    gain: tuple[float, float] = (0.9, 1.1)
    offset: float = 15.0
    noise: float = 255 * 0.02  # Gaussian noise, clipped to +-noise
    salt_pepper: float = 0.002  # fraction of pixels forced to 0/255 ("a few noisy pixels")
    scale: float = 0.0  # +- relative scale
    blur: float = 0.0  # max Gaussian sigma (px); applied to half the crops
    jpeg: int = 0  # JPEG quality (0 = none)
    jpeg_prob: float = 1.0  # share of crops that get the JPEG round trip


USER = Perturb()
HARD = Perturb(gain=(0.75, 1.25), offset=35.0, scale=0.02, blur=0.7, jpeg=60)
TRAIN = Perturb(gain=(0.8, 1.2), offset=30.0, scale=0.025, blur=0.8, jpeg=55, jpeg_prob=0.5)


def shift_batch(
    imgs: npt.NDArray[np.float32], dy: npt.NDArray[np.int_], dx: npt.NDArray[np.int_]
) -> npt.NDArray[np.float32]:
    """Integer shifts of a batch (N, H, W) with edge replication, in one gather."""
    my, mx = int(np.abs(dy).max(initial=0)), int(np.abs(dx).max(initial=0))
    pad = np.pad(imgs, ((0, 0), (my, my), (mx, mx)), mode="edge")
    rows = (my - dy)[:, None] + np.arange(imgs.shape[1])[None, :]
    cols = (mx - dx)[:, None] + np.arange(imgs.shape[2])[None, :]
    n = np.arange(len(imgs))[:, None, None]
    return np.asarray(pad[n, rows[:, :, None], cols[:, None, :]], dtype=np.float32)


def perturb(imgs: npt.NDArray[np.uint8], p: Perturb, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """A perturbed copy of a batch of raw grey crops (N, 36, 450) uint8."""
    b = np.asarray(imgs, dtype=np.float32)
    if b.ndim == 2:
        b = b[None]
    n = len(b)
    if p.scale or p.blur:
        out = np.empty_like(b)
        for i in range(n):  # affine warps are per image; cv2 is ~20 us each
            img = b[i]
            if p.scale:
                s = 1.0 + rng.uniform(-p.scale, p.scale)
                m = np.array([[s, 0, (1 - s) * W / 2], [0, s, (1 - s) * H / 2]], dtype=np.float32)
                img = cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            if p.blur and rng.random() < 0.5:
                img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, p.blur))
            out[i] = img
        b = out
    if p.max_dy or p.max_dx:
        dy = rng.integers(-p.max_dy, p.max_dy + 1, n)
        dx = rng.integers(-p.max_dx, p.max_dx + 1, n)
        b = shift_batch(b, dy, dx)
    gain = rng.uniform(p.gain[0], p.gain[1], n).astype(np.float32)
    off = rng.uniform(-p.offset, p.offset, n).astype(np.float32)
    b = b * gain[:, None, None] + off[:, None, None]
    if p.noise:
        b = b + np.clip(rng.normal(0, p.noise / 2, b.shape), -p.noise, p.noise).astype(np.float32)
    if p.salt_pepper:
        k = rng.random(b.shape) < rng.uniform(0, p.salt_pepper, n)[:, None, None]
        b[k] = rng.choice(np.array([0.0, 255.0], dtype=np.float32), size=int(k.sum()))
    out8 = np.clip(np.rint(b), 0, 255).astype(np.uint8)
    if p.jpeg:
        for i in range(n):
            if p.jpeg_prob < 1.0 and rng.random() >= p.jpeg_prob:
                continue
            ok, buf = cv2.imencode(".jpg", out8[i], [cv2.IMWRITE_JPEG_QUALITY, p.jpeg])
            dec = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else None
            if dec is not None:
                out8[i] = dec
    return out8
