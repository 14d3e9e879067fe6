"""The song of a result screen: its title crop matched with the catalog's titles drawn in
a sans face, among the songs whose chart at the read difficulty has the read level (so
twins, songs sharing a title, are told apart by their level and few candidates remain).

A title is drawn as the game shows it (``shared.catalog.shown_title``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from shared.catalog import DIFFICULTIES, Song, shown_title
from shared.fonts import sans_fonts

_H = 24  # both sides are compared at this ink height
MIN_SIMILARITY = 0.55  # below this no catalog title is the one on screen
MIN_LEAD = 0.03  # the best title's lead over the best other title
MAX_WIDTH_RATIO = 1.45  # a title this much wider or narrower than the crop is another title


@dataclass(frozen=True)
class TitleMatch:
    song_id: int | None  # None: twins (same title, same level at this difficulty)
    title: str
    similarity: float


@lru_cache(maxsize=8192)
def _drawn(title: str) -> npt.NDArray[np.float32]:
    """``title`` drawn in the first sans face, its ink cropped, _H px high, blurred."""
    font = ImageFont.truetype(str(sans_fonts()[0]), 48, index=0)
    left, top, right, bottom = (int(v) for v in font.getbbox(title))
    img = Image.new("L", (right - left + 16, bottom - top + 16), 0)
    ImageDraw.Draw(img).text((8 - left, 8 - top), title, fill=255, font=font)
    return _normalised(np.asarray(img) > 127)


def _normalised(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return np.zeros((_H, 1), np.float32)
    ink = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    w = max(1, round(ink.shape[1] * _H / ink.shape[0]))
    return np.asarray(
        cv2.GaussianBlur(cv2.resize(ink, (w, _H), interpolation=cv2.INTER_AREA), (3, 3), 0), np.float32
    )


def similarity(crop: npt.NDArray[np.float32], drawn: npt.NDArray[np.float32]) -> float:
    """Correlation of two normalised ink pictures, the drawn one stretched to the crop's
    width; 0 when their widths differ by more than MAX_WIDTH_RATIO."""
    wc, wd = crop.shape[1], drawn.shape[1]
    if max(wc, wd) > MAX_WIDTH_RATIO * min(wc, wd):
        return 0.0
    d = cv2.resize(drawn, (wc, _H), interpolation=cv2.INTER_AREA).reshape(-1)
    c = crop.reshape(-1)
    c, d = c - c.mean(), d - d.mean()
    n = float(np.linalg.norm(c) * np.linalg.norm(d))
    return float(c @ d) / n if n > 0 else 0.0


def candidates(songs: Iterable[Song], difficulty: str | None, level: int | None) -> list[Song]:
    """Songs whose chart at ``difficulty`` has ``level`` (all songs when either is unknown)."""
    if difficulty is None or level is None:
        return list(songs)
    d = DIFFICULTIES.index(difficulty)
    return [s for s in songs if s.levels.get(d) == level]


def match_title(
    ink: npt.NDArray[np.bool_], songs: Iterable[Song], difficulty: str | None, level: int | None
) -> TitleMatch | None:
    """The catalog song whose title is the ink of the title region; None when none is like
    it or two different titles are nearly as like."""
    crop = _normalised(ink)
    scored: list[tuple[float, str, Song]] = []
    for song in candidates(songs, difficulty, level):
        best: tuple[float, str] | None = None
        for t in {shown_title(t) for t in song.titles if t}:
            if t:
                s = similarity(crop, _drawn(t))
                if best is None or s > best[0]:
                    best = (s, t)
        if best is not None:
            scored.append((best[0], best[1], song))
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    top, title, song = scored[0]
    others = [s for s, t, _ in scored[1:] if t != title]
    if top < MIN_SIMILARITY or (others and top - others[0] < MIN_LEAD):
        return None
    twins = [sg.id for _, t, sg in scored if t == title]
    return TitleMatch(song.id if len(twins) == 1 else None, title, round(top, 3))
