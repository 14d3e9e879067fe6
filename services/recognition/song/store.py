"""Small file helpers: the t-<id>.png naming and reading crops (atomic writes: shared.atomic_write)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt

TITLE_RE = re.compile(r"^t-(\d+)\.png$")


def title_id(path: Path) -> int | None:
    m = TITLE_RE.match(Path(path).name)
    return int(m.group(1)) if m else None


def list_titles(title_dir: Path) -> dict[int, Path]:
    """id -> path of every t-<id>.png in ``title_dir`` (ids need not be contiguous)."""
    title_dir = Path(title_dir)
    if not title_dir.is_dir():
        raise FileNotFoundError(f"title folder not found: {title_dir}")
    out: dict[int, Path] = {}
    for p in title_dir.iterdir():
        i = title_id(p)
        if i is not None:
            out[i] = p
    return dict(sorted(out.items()))


def read_gray(path: Path) -> npt.NDArray[np.uint8]:
    import cv2

    data = np.fromfile(str(path), dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise ValueError(f"{path}: not a readable image")
    from services.recognition.song.preprocess import to_gray

    return to_gray(img)


def load_title_images(title_dir: Path) -> tuple[list[int], npt.NDArray[np.uint8]]:
    """(ids, (N, 36, 450) uint8) from a folder of t-<id>.png crops."""
    from services.recognition.song.preprocess import H, W

    ids: list[int] = []
    imgs: list[npt.NDArray[np.uint8]] = []
    for i, p in list_titles(title_dir).items():
        g = read_gray(p)
        if g.shape != (H, W):
            raise ValueError(f"{p}: expected a {W}x{H} crop, got {g.shape[1]}x{g.shape[0]}")
        ids.append(i)
        imgs.append(g)
    if not ids:
        raise ValueError(f"no t-<id>.png crops in {title_dir}")
    return ids, np.stack(imgs)
