"""Synthetic screenshots for tests: a title crop (and a level number) pasted where the game
shows them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from services.recognition.song.preprocess import LEVEL_OFFSET_Y, TITLE_REGIONS
from shared.title_render import system_fonts


def screenshot(
    crop: npt.NDArray[np.uint8], region: int = 0, level: int | None = None
) -> npt.NDArray[np.uint8]:
    screen = np.full((720, 1280), 90, np.uint8)
    x1, y1, x2, y2 = TITLE_REGIONS[region]
    screen[y1:y2, x1:x2] = crop
    row = Image.new("L", (x2 - x1, 36), int(np.median(crop)))
    if level is not None:
        font = next(f for f in system_fonts() if "Sans" in f.path).load(26)
        ImageDraw.Draw(row).text((6, 2), str(level), fill=40, font=font)
    screen[y1 + LEVEL_OFFSET_Y : y2 + LEVEL_OFFSET_Y, x1:x2] = np.asarray(row)
    return screen
