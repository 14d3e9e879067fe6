"""The chart library and song checks, read by the gateway, the scriptor and recognition.
Owned by the fetch module's work (issue: Fetch); this first version checks the catalog only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SongCheck:
    ok: bool
    message: str


def check_song_id(song_id: int, data_dir: Path) -> SongCheck:
    """Is ``song_id`` playable: in the catalog, with a chart in the library?"""
    raise NotImplementedError("filled in by the fetch work")
