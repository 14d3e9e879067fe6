"""Synthetic title crops: the real song titles rendered like the game's 36x450 grey crops
(dark text on a light background), one style per title text. Shared: the song recogniser
trains on them and the simulator shows them.

The style is seeded by the title text, not the id, so songs with identical titles get the
identical picture, as in the game. Fonts come from the system (fc-list): every installed
font that can draw CJK text; per title only fonts that have all its glyphs are used.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from shared.atomic_write import write_atomic
from shared.catalogue.regions import TITLE_H as H
from shared.catalogue.regions import TITLE_W as W

U8 = npt.NDArray[np.uint8]

_PROBE = "の歌"  # a Japanese-capable font draws these; per title, glyph coverage is checked
_FONT_HINTS = ("cjk", "ipa", "japanese", "gothic", "mincho")


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return _load_font(self.path, self.index, size)


@lru_cache(maxsize=512)
def _load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _listed_font_files() -> list[str]:
    exe = shutil.which("fc-list")
    if exe is not None:
        out = subprocess.run([exe, ":", "file"], capture_output=True, text=True, check=False).stdout
        files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    else:  # no fontconfig: look in the usual places
        files = [
            str(p) for d in ("/usr/share/fonts", "/usr/local/share/fonts") for p in Path(d).rglob("*.tt[fc]")
        ]
    return sorted({f for f in files if f.lower().endswith((".ttf", ".ttc", ".otf"))})


@lru_cache(maxsize=1)
def system_fonts() -> tuple[FontFace, ...]:
    """CJK-capable faces on this system (first face of each file, plus the Regular/Bold of
    collections: index 0 of a Noto CJK .ttc is its Japanese face)."""
    faces: list[FontFace] = []
    seen: set[str] = set()
    for f in _listed_font_files():
        name = Path(f).name.lower()
        real = str(Path(f).resolve())
        if real in seen or not any(h in f.lower() for h in _FONT_HINTS):
            continue
        seen.add(real)
        face = FontFace(f, 0)
        if all(has_glyph(face, ch) for ch in _PROBE) and "mono" not in name:
            faces.append(face)
    if not faces:
        raise RuntimeError("no CJK-capable font found (install fonts-noto-cjk or fonts-ipafont-gothic)")
    return tuple(faces)


@lru_cache(maxsize=65536)
def has_glyph(face: FontFace, ch: str) -> bool:
    """Whether the face draws ``ch`` (a missing glyph renders as the .notdef box)."""
    if ch.isspace():
        return True
    font = face.load(24)
    return _glyph_bytes(font, ch) != _glyph_bytes(font, "\U0010fffd")


def _glyph_bytes(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    mask = font.getmask(ch)
    return bytes(mask.size) + bytes(mask)


def faces_for(text: str) -> list[FontFace]:
    usable = [f for f in system_fonts() if all(has_glyph(f, ch) for ch in text)]
    return usable or list(system_fonts())


def _seed(text: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.sha256((salt + text).encode("utf-8")).digest()[:8], "little")


def render_title(text: str, salt: str = "") -> U8:
    """One 36x450 grey crop of ``text`` in a style chosen deterministically from the text."""
    rng = random.Random(_seed(text, salt))
    face = rng.choice(faces_for(text))
    bg = rng.randint(212, 248)
    fg = rng.randint(20, 95)
    size = rng.randint(22, 30)
    font = face.load(size)
    width = font.getlength(text)
    while width > W - 8 and size > 14:  # long titles: shrink to fit
        size -= 1
        font = face.load(size)
        width = font.getlength(text)
    left, top, right, bottom = font.getbbox(text)
    canvas_w = max(W, int(right) + 8)
    img = Image.new("L", (canvas_w, H), bg)
    draw = ImageDraw.Draw(img)
    if rng.random() < 0.5:
        x = rng.randint(2, 18) - left
    else:
        x = (canvas_w - (right - left)) / 2 - left + rng.randint(-6, 6)
    y = (H - (bottom - top)) / 2 - top + rng.uniform(-2, 2)
    draw.text((x, y), text, fill=fg, font=font)
    if canvas_w > W:  # still too wide at the smallest size: squeeze horizontally
        img = img.resize((W, H), Image.Resampling.LANCZOS)
    a = np.asarray(img, dtype=np.float32)
    # A faint horizontal gradient, like the game's panel.
    a += np.linspace(0, rng.uniform(-8, 8), W, dtype=np.float32)[None, :]
    return np.clip(a, 0, 255).astype(np.uint8)


def render_titles(titles: Mapping[int, str], out_dir: Path, overwrite: bool = False) -> list[Path]:
    """Write ``t-<id>.png`` for every (id, title); returns the written paths."""
    import cv2

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for song_id, text in sorted(titles.items()):
        path = out_dir / f"t-{song_id}.png"
        if path.exists() and not overwrite:
            continue
        ok, buf = cv2.imencode(".png", render_title(text))
        if not ok:
            raise RuntimeError(f"could not encode the crop of song {song_id}")
        write_atomic(path, buf.tobytes())
        written.append(path)
    return written


def catalog_titles(songs: Iterable[object]) -> dict[int, str]:
    """id -> display title from catalog ``Song`` objects."""
    out: dict[int, str] = {}
    for s in songs:
        out[int(s.id)] = str(s.title)  # type: ignore[attr-defined]
    return out
