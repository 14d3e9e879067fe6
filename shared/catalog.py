"""The song catalog: songs from Bestdori's ``songs/all.5.json`` (titles per server,
band, levels per difficulty). The fetch module fills it; everything else reads it here.

Where it lives: ``<data_dir>/catalog/songs-all.json`` (the raw Bestdori response, written by
Fetch -> FetchSongHeader). A fresh install has none, so ``load_catalog`` falls back to the
copy shipped in ``shared/data/songs-all.json``.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVERS = ("jp", "en", "tw", "cn", "kr")
DIFFICULTIES = ("easy", "normal", "hard", "expert", "special")

SHIPPED_SONGS_ALL = Path(__file__).resolve().parent / "data" / "songs-all.json"


@dataclass(frozen=True)
class Song:
    id: int
    titles: tuple[str | None, ...]  # per server, SERVERS order; None where not released
    band_id: int | None
    levels: dict[int, int] = field(default_factory=dict)  # difficulty index -> playLevel
    published: tuple[bool, ...] = ()  # per server
    tag: str | None = None  # normal / anime / tie_up
    jacket: str | None = None

    @property
    def title(self) -> str:
        """A display title: CN first (the user's server), then JP, EN, TW, KR."""
        for i in (3, 0, 1, 2, 4):
            if i < len(self.titles) and self.titles[i]:
                return str(self.titles[i])
        return f"#{self.id}"

    def titles_by_server(self) -> dict[str, str | None]:
        return {s: (self.titles[i] if i < len(self.titles) else None) for i, s in enumerate(SERVERS)}

    def published_by_server(self) -> dict[str, bool]:
        return {s: (i < len(self.published) and self.published[i]) for i, s in enumerate(SERVERS)}

    def level_names(self) -> dict[str, int]:
        """Levels keyed by difficulty name (``expert``: 25)."""
        return {difficulty_name(d): lv for d, lv in sorted(self.levels.items()) if d < len(DIFFICULTIES)}


def difficulty_name(index: int) -> str:
    return DIFFICULTIES[index] if 0 <= index < len(DIFFICULTIES) else str(index)


def parse_songs_all(raw: dict[str, Any]) -> dict[int, Song]:
    """Parse a ``songs/all.5.json`` response. Raises ``ValueError`` with a readable
    message on anything that does not look like one."""
    if not isinstance(raw, dict) or not raw:
        raise ValueError("song list: expected a non-empty JSON object of songs")
    songs: dict[int, Song] = {}
    for key, entry in raw.items():
        try:
            song_id = int(key)
        except ValueError as exc:
            raise ValueError(f"song list: key {key!r} is not a song id") from exc
        if not isinstance(entry, dict) or not isinstance(entry.get("musicTitle"), list):
            raise ValueError(f"song list: song {key} has no musicTitle list")
        titles = tuple(t if isinstance(t, str) else None for t in entry["musicTitle"])
        levels: dict[int, int] = {}
        difficulty = entry.get("difficulty") or {}
        if not isinstance(difficulty, dict):
            raise ValueError(f"song list: song {key} has a difficulty that is not an object")
        for diff, info in difficulty.items():
            if isinstance(info, dict) and isinstance(info.get("playLevel"), int):
                try:
                    levels[int(diff)] = int(info["playLevel"])
                except ValueError as exc:
                    raise ValueError(f"song list: song {key} has difficulty key {diff!r}") from exc
        published_at = entry.get("publishedAt")
        published = tuple(p is not None for p in published_at) if isinstance(published_at, list) else ()
        band = entry.get("bandId")
        tag = entry.get("tag")
        jackets = entry.get("jacketImage")
        jacket = jackets[0] if isinstance(jackets, list) and jackets and isinstance(jackets[0], str) else None
        songs[song_id] = Song(
            song_id,
            titles,
            band if isinstance(band, int) else None,
            levels,
            published,
            tag if isinstance(tag, str) else None,
            jacket,
        )
    return songs


def load_songs_all(path: Path) -> dict[int, Song]:
    return parse_songs_all(json.loads(Path(path).read_text(encoding="utf-8")))


# -- title shaving (what SpecialChar reports, what title matching compares) ---------------


def folded(title: str) -> str:
    """The title before shaving drops anything: NFKC (full-width -> ASCII), case-folded."""
    return unicodedata.normalize("NFKC", title).casefold()


def shave_keeps(ch: str) -> bool:
    """Whether shaving keeps ``ch`` (a character of ``folded``): letters, digits and
    combining marks, so kana, kanji and hangul survive."""
    # Spacing modifier letters (U+02B0..U+02FF, e.g. the apostrophe in "Sʼil") are
    # letters to Unicode but punctuation to a reader; ー and 々 (also Lm) stay.
    return unicodedata.category(ch)[0] in "LNM" and not 0x02B0 <= ord(ch) <= 0x02FF


def shave(title: str) -> str:
    """The form titles are compared in: ``folded``, with spaces, punctuation (ASCII and
    CJK: 、。「」〜・) and symbols (☆★♪∞×) removed."""
    return "".join(ch for ch in folded(title) if shave_keeps(ch))


_TAG = re.compile(r"^\s*\[[^\]]*\]\s*")


def shown_title(title: str) -> str:
    """The title as the game prints it: without the leading "[...]" tag some re-releases
    carry in the catalog ("[超高難易度 SPECIAL] SENSENFUKOKU" shows as "SENSENFUKOKU")."""
    return _TAG.sub("", title).strip()


# -- the catalog as the rest of the system reads it ---------------------------------------


def catalog_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "catalog"


def songs_all_path(data_dir: Path) -> Path:
    """The raw ``songs/all.5.json`` Fetch keeps (may not exist yet)."""
    return catalog_dir(data_dir) / "songs-all.json"


@dataclass(frozen=True)
class Catalog:
    songs: dict[int, Song]
    source: Path  # the file it was read from
    shipped: bool  # True when read from the copy shipped with the code

    def get(self, song_id: int) -> Song | None:
        return self.songs.get(song_id)

    def __contains__(self, song_id: object) -> bool:
        return song_id in self.songs

    def __len__(self) -> int:
        return len(self.songs)

    def __iter__(self) -> Iterator[Song]:
        return iter(sorted(self.songs.values(), key=lambda s: s.id))

    def find_title(self, text: str) -> list[Song]:
        """Songs with a title (any server) equal to ``text`` after shaving."""
        key = shave(text)
        if not key:
            return []
        return [s for s in self if any(t and shave(t) == key for t in s.titles)]


_cache: dict[Path, tuple[tuple[int, int], Catalog]] = {}
_cache_lock = threading.Lock()


def load_catalog(data_dir: Path) -> Catalog:
    """The catalog in ``data_dir`` or, when there is none, the shipped one. Re-read only
    when the file changes (FetchSongHeader replaces it atomically). A corrupt file raises
    ``ValueError`` naming it."""
    path = songs_all_path(data_dir)
    shipped = not path.is_file()
    if shipped:
        path = SHIPPED_SONGS_ALL
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp:
            return hit[1]
    try:
        songs = load_songs_all(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"song catalog {path} is unreadable: {exc}") from exc
    cat = Catalog(songs, path, shipped)
    with _cache_lock:
        _cache[path] = (stamp, cat)
    return cat


def summarise(songs: dict[int, Song]) -> dict[str, Any]:
    """The derived catalog (``catalog/catalog.json``): one compact row per song, for people
    and tools that do not want to read Bestdori's raw shape."""
    return {
        "songs": [
            {
                "id": s.id,
                "title": s.title,
                "titles": s.titles_by_server(),
                "band_id": s.band_id,
                "tag": s.tag,
                "levels": s.level_names(),
                "published": s.published_by_server(),
            }
            for s in sorted(songs.values(), key=lambda s: s.id)
        ]
    }
