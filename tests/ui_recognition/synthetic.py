"""Small synthetic screens for the UI-recognition tests: each state a fixed layout of
coloured panels (seeded by its id) plus per-frame jitter, drawn at 180x320 so tests stay
fast. Not the simulator's screens: the pipeline must work on any pictures."""

from __future__ import annotations

import cv2
import numpy as np

from services.recognition.ui.labels import LABEL_ID
from services.recognition.ui.preprocess import Image

SIZE = (180, 320)  # H, W


def layout_frame(state: str, rng: np.random.Generator) -> Image:
    lay = np.random.default_rng(1000 + LABEL_ID[state])
    h, w = SIZE
    img = np.empty((h, w, 3), np.uint8)
    img[:] = lay.integers(0, 256, 3)
    for _ in range(4):
        x, y = int(lay.integers(0, w - 80)), int(lay.integers(0, h - 50))
        bw, bh = int(lay.integers(30, 120)), int(lay.integers(20, 80))
        jx, jy = rng.integers(-3, 4, 2)
        colour = tuple(int(c) for c in lay.integers(0, 256, 3))
        cv2.rectangle(img, (x + int(jx), y + int(jy)), (x + bw + int(jx), y + bh + int(jy)), colour, -1)
    # per-frame content: a random "text" line
    cv2.putText(
        img, str(int(rng.integers(0, 99999))), (10, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1
    )
    return img


def write_dataset(root: object, states: list[str], per_state: int, seed: int = 0) -> None:
    from pathlib import Path

    rng = np.random.default_rng(seed)
    base = Path(str(root))
    for s in states:
        (base / s).mkdir(parents=True, exist_ok=True)
        for i in range(per_state):
            cv2.imwrite(str(base / s / f"{s}-{i:03d}.png"), layout_frame(s, rng))
