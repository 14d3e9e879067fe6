"""Sans-serif font files on this machine, for drawing and reading printed digits and Latin
titles (the game prints them in a plain sans face). ``scripts/bootstrap`` installs Noto
Sans CJK and IPAGothic; DejaVu and Liberation are used too where present."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# Preferred first: the simulator draws with the first one found.
SANS_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
    "ipag.ttf",
    "ipagp.ttf",
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


@lru_cache(maxsize=1)
def sans_fonts() -> tuple[Path, ...]:
    """The files of ``SANS_FILES`` that are installed, in that order; raises when none is."""
    found: dict[str, Path] = {}
    for d in FONT_DIRS:
        if d.is_dir():
            for p in d.rglob("*"):
                if p.name in SANS_FILES and p.name not in found:
                    found[p.name] = p
    if not found:
        raise RuntimeError(
            f"no sans font found (install fonts-noto-cjk or fonts-ipafont-gothic): {SANS_FILES}"
        )
    return tuple(found[n] for n in SANS_FILES if n in found)


@lru_cache(maxsize=32)
def font_file(name: str) -> Path:
    """The installed font file called ``name`` (e.g. ``ipag.ttf``); raises ``ValueError``
    naming the folders searched when there is none."""
    for d in FONT_DIRS:
        if d.is_dir():
            for p in d.rglob(name):
                if p.is_file():
                    return p
    raise ValueError(f"no font file {name!r} in {', '.join(str(d) for d in FONT_DIRS)}")
