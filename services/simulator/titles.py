"""The title crop the simulated song select and ready screens show for a song: the user's
reference picture ``t-<id>.png`` when there is one, else the catalog title rendered like
the game's crop (``shared.title_render``), so identical titles give identical
pictures, as in the game."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shared.catalog import Catalog
from shared.catalogue.regions import TITLE_H as H
from shared.catalogue.regions import TITLE_W as W

Crop = npt.NDArray[np.uint8]


@lru_cache(maxsize=2048)
def _rendered(title: str) -> Crop:
    from shared.title_render import render_title

    crop = render_title(title)
    crop.setflags(write=False)
    return crop


def title_crop(song_id: int, titles_dir: Path | None, catalog: Catalog) -> Crop:
    """The 36x450 grey crop of ``song_id``. Raises ``ValueError`` naming the file for a
    picture of the wrong size or one that cannot be read, ``KeyError`` for a song that is
    in neither the titles dir nor the catalog."""
    if titles_dir is not None:
        path = Path(titles_dir) / f"t-{song_id}.png"
        if path.is_file():
            import cv2

            img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if img is None:
                raise ValueError(f"{path}: not a readable image")
            if img.shape != (H, W):
                raise ValueError(f"{path}: expected a {W}x{H} title crop, got {img.shape[1]}x{img.shape[0]}")
            return np.asarray(img, np.uint8)
    song = catalog.get(song_id)
    if song is None:
        raise KeyError(f"song {song_id} is not in the catalog ({catalog.source.name}) nor in the titles dir")
    return _rendered(song.title).copy()
