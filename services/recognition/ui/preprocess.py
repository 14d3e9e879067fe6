"""Frame -> model input: the whole frame, INTER_AREA to 160x90, RGB, /255 (docs/domain.md
section 6). Frames of any size are accepted; 720x1280 is the usual one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from shared.screen_coverage import IMAGE_SUFFIXES as IMAGE_SUFFIXES

H, W = 90, 160

Image = np.ndarray[Any, Any]  # HxWx3 (or NxHxWx3) uint8 BGR


def small(frame: Image) -> Image:
    """A BGR frame of any size -> 90x160 BGR uint8 (what the dataset keeps in memory)."""
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.shape[0] < 2 or frame.shape[1] < 2:
        raise ValueError(f"not a colour frame: shape {frame.shape}")
    if frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    if frame.shape[:2] == (H, W):
        return np.ascontiguousarray(frame)
    return cv2.resize(frame, (W, H), interpolation=cv2.INTER_AREA)


def to_input(smalls: Image) -> npt.NDArray[np.float32]:
    """(N, 90, 160, 3) or (90, 160, 3) BGR uint8 -> (N, 3, 90, 160) RGB float32 in [0, 1]."""
    batch = smalls[None] if smalls.ndim == 3 else smalls
    rgb = batch[..., ::-1].transpose(0, 3, 1, 2)
    return np.ascontiguousarray(rgb, dtype=np.float32) / np.float32(255.0)


def model_input(frame: Image) -> npt.NDArray[np.float32]:
    return to_input(small(frame))


def read_frame(path: Path) -> Image:
    """A picture file as a BGR frame; ValueError naming the file when it does not decode."""
    data = np.fromfile(str(path), np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        raise ValueError(f"{path.name}: not a readable image")
    return img


def image_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
