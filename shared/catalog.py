"""The song catalog: songs from Bestdori's ``songs/all.5.json`` (titles per server,
band, levels per difficulty). The fetch module fills it; everything else reads it here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVERS = ("jp", "en", "tw", "cn", "kr")
DIFFICULTIES = ("easy", "normal", "hard", "expert", "special")


@dataclass(frozen=True)
class Song:
    id: int
    titles: tuple[str | None, ...]  # per server, SERVERS order; None where not released
    band_id: int | None
    levels: dict[int, int] = field(default_factory=dict)  # difficulty index -> playLevel
    published: tuple[bool, ...] = ()  # per server

    @property
    def title(self) -> str:
        """A display title: CN first (the user's server), then JP, EN, TW, KR."""
        for i in (3, 0, 1, 2, 4):
            if i < len(self.titles) and self.titles[i]:
                return str(self.titles[i])
        return f"#{self.id}"


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
        for diff, info in (entry.get("difficulty") or {}).items():
            if isinstance(info, dict) and isinstance(info.get("playLevel"), int):
                levels[int(diff)] = int(info["playLevel"])
        published = tuple(p is not None for p in entry.get("publishedAt") or [])
        band = entry.get("bandId")
        songs[song_id] = Song(song_id, titles, band if isinstance(band, int) else None, levels, published)
    return songs


def load_songs_all(path: Path) -> dict[int, Song]:
    return parse_songs_all(json.loads(Path(path).read_text(encoding="utf-8")))
