"""The chart library and song checks, read by the gateway, the scriptor and recognition.

Charts live in ``<data_dir>/charts/<song id>_<difficulty index>.bestdori`` exactly as
Bestdori sent them; ``load_chart`` applies the errata layer and parses them. Fetch is the
only writer (``ChartLibrary.store``: validated first, then an atomic replace).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shared.atomic_write import write_atomic
from shared.catalog import DIFFICULTIES, difficulty_name, load_catalog
from shared.chart import Chart, ChartError, apply_errata, decode_chart, parse_chart, parse_chart_bytes
from shared.config.fetch import Difficulty

CHART_NAME = re.compile(r"^(\d+)_(\d)\.bestdori$")


def _index(difficulty: int | Difficulty) -> int:
    return difficulty.number if isinstance(difficulty, Difficulty) else int(difficulty)


class ChartLibrary:
    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir) / "charts"

    def path(self, song_id: int, difficulty: int | Difficulty) -> Path:
        return self.dir / f"{int(song_id)}_{_index(difficulty)}.bestdori"

    def has(self, song_id: int, difficulty: int | Difficulty) -> bool:
        return self.path(song_id, difficulty).is_file()

    def index(self) -> dict[int, set[int]]:
        """Song id -> difficulty indexes with a chart file (one directory scan)."""
        out: dict[int, set[int]] = {}
        if self.dir.is_dir():
            for p in self.dir.iterdir():
                m = CHART_NAME.match(p.name)
                if m:
                    out.setdefault(int(m.group(1)), set()).add(int(m.group(2)))
        return out

    def difficulties(self, song_id: int) -> list[int]:
        """Difficulty indexes of one song's charts: a stat per difficulty, not a scan of
        the whole folder (the dashboard's song check calls this on every edit)."""
        return [d for d in range(len(DIFFICULTIES)) if self.has(song_id, d)]

    def load(self, song_id: int, difficulty: int | Difficulty) -> Chart:
        """The chart with errata applied. ``FileNotFoundError`` when the library lacks it,
        ``ChartError`` (naming the file) when the stored file is not a playable chart."""
        path = self.path(song_id, difficulty)
        if not path.is_file():
            raise FileNotFoundError(
                f"no chart for song {song_id} {difficulty_name(_index(difficulty))} at {path}; "
                "fetch it with Fetch -> FetchOne"
            )
        try:
            events = decode_chart(path.read_bytes())
            patched, applied = apply_errata(events, int(song_id), _index(difficulty))
            return parse_chart(patched, errata=applied)
        except ChartError as exc:
            raise ChartError(f"{path.name}: {exc}") from exc

    def store(self, song_id: int, difficulty: int | Difficulty, body: bytes) -> Chart:
        """Validate ``body`` as a chart and only then replace the file atomically; a bad
        body raises ``ChartError`` and leaves any existing chart untouched."""
        chart = parse_chart_bytes(body)
        write_atomic(self.path(song_id, difficulty), body)
        return chart


def load_chart(song_id: int, difficulty: int | Difficulty, data_dir: Path) -> Chart:
    """The one way other modules read a chart (errata applied)."""
    return ChartLibrary(data_dir).load(song_id, difficulty)


@dataclass(frozen=True)
class SongCheck:
    ok: bool
    message: str


def check_song_id(song_id: int, data_dir: Path) -> SongCheck:
    """Is ``song_id`` playable: in the catalog, with a chart in the library?"""
    try:
        cat = load_catalog(data_dir)  # cached until the file changes
    except (OSError, ValueError) as exc:
        return SongCheck(False, f"cannot read the song catalog: {exc}")
    song = cat.get(int(song_id))
    if song is None:
        return SongCheck(
            False,
            f"song {song_id} is not in the catalog ({len(cat)} songs); "
            "refresh it with Fetch -> FetchSongHeader if the song is new",
        )
    have = ChartLibrary(data_dir).difficulties(song.id)
    if not have:
        return SongCheck(
            False,
            f"song {song.id} ({song.title}) has no chart in the library; "
            "fetch one with Fetch -> FetchOne or FetchLack",
        )
    names = ", ".join(difficulty_name(d) for d in have)
    return SongCheck(True, f"song {song.id} ({song.title}): charts for {names}")
