"""What capture does to a frame: brightness, sensor-like noise, JPEG loss, a few pixels of
shift and a little scale. Deterministic for a given generator state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

from services.simulator.draw import Frame


@dataclass(frozen=True)
class Perturbation:
    brightness: float = 0.0  # +- fraction
    noise: float = 0.0  # std of gaussian noise (0..255 scale)
    jpeg_quality: int | None = None
    shift: int = 0  # max pixels of shift in x and y
    scale: float = 0.0  # max +- fraction of scale

    def __post_init__(self) -> None:
        if not 0 <= self.brightness < 1:
            raise ValueError(f"brightness must be in [0, 1), got {self.brightness}")
        if self.noise < 0:
            raise ValueError(f"noise must be >= 0, got {self.noise}")
        if self.jpeg_quality is not None and not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be 1..100, got {self.jpeg_quality}")
        if self.shift < 0:
            raise ValueError(f"shift must be >= 0, got {self.shift}")
        if not 0 <= self.scale < 0.5:
            raise ValueError(f"scale must be in [0, 0.5), got {self.scale}")


# Gaussian noise is drawn as a window at a random offset of one fixed pool: drawing 2.7 M
# normals per frame would cost ~10x the rest of perturb; windows of a pool twice the frame
# size are as random as capture noise needs to be.
_NOISE_POOL = 2 * 720 * 1280 * 3 + 1


@lru_cache(maxsize=1)
def _noise() -> npt.NDArray[np.float32]:
    return np.random.default_rng(20261201).standard_normal(_NOISE_POOL, dtype=np.float32)


def perturb(frame: Frame, p: Perturbation, rng: np.random.Generator) -> Frame:
    """A perturbed copy of ``frame`` (same shape, uint8). Draws from ``rng`` in a fixed
    order whatever is enabled, so one seed gives one result."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 uint8 frame, got {frame.dtype} {frame.shape}")
    h, w = frame.shape[:2]
    b = rng.uniform(-p.brightness, p.brightness)
    s = 1.0 + rng.uniform(-p.scale, p.scale)
    dx, dy = (int(v) for v in rng.integers(-p.shift, p.shift + 1, size=2))
    out = frame
    if s != 1.0 or dx or dy:
        m = np.array([[s, 0.0, (1 - s) * w / 2 + dx], [0.0, s, (1 - s) * h / 2 + dy]], np.float32)
        interp = cv2.INTER_LINEAR if s != 1.0 else cv2.INTER_NEAREST  # a pure shift stays exact
        out = np.asarray(
            cv2.warpAffine(out, m, (w, h), flags=interp, borderMode=cv2.BORDER_REPLICATE), np.uint8
        )
    n = frame.size
    start = int(rng.integers(0, max(_NOISE_POOL - n, 1)))
    if b or p.noise:
        f = out.astype(np.float32)
        f *= np.float32(1.0 + b)
        if p.noise:
            noise = (
                _noise()[start : start + n] if n < _NOISE_POOL else rng.standard_normal(n, dtype=np.float32)
            )
            f = np.asarray(cv2.scaleAdd(noise.reshape(frame.shape), p.noise, f), np.float32)
        out = np.clip(f, 0, 255, out=f).astype(np.uint8)
    if p.jpeg_quality is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg_quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)
    return out if out is not frame else frame.copy()
