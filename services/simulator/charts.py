"""Charts for the simulated game: the data dir's chart library first, then the charts
shipped in ``shared/data/charts/`` (errata applied either way), optionally cut short."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from shared.chart import Chart
from shared.chart.library import ChartLibrary
from shared.data import DATA_DIR

SHIPPED_DATA = DATA_DIR


class ChartSource:
    def __init__(self, data_dir: Path | None = None, max_song_s: float | None = None) -> None:
        self.libraries = [ChartLibrary(d) for d in (data_dir, SHIPPED_DATA) if d is not None]
        self.max_song_s = max_song_s

    def difficulties(self, song: int) -> list[int]:
        return sorted({d for lib in self.libraries for d in lib.difficulties(song)})

    def load(self, song: int, difficulty: int) -> tuple[Chart, int]:
        """The chart of ``song`` at ``difficulty``; a song without that difficulty plays
        the nearest one it has (the played difficulty is returned)."""
        have = self.difficulties(song)
        if not have:
            raise FileNotFoundError(f"song {song}: no chart in the data dir or shipped with the simulator")
        played = min(have, key=lambda d: (abs(d - difficulty), -d))
        lib = next(lib for lib in self.libraries if lib.has(song, played))
        chart = lib.load(song, played)
        return (cut(chart, self.max_song_s) if self.max_song_s else chart), played


def cut(chart: Chart, seconds: float) -> Chart:
    """The notes that end within the first ``seconds`` (at least the first note)."""
    keep = tuple(n for n in chart.notes if chart.seconds(n.end_beat) <= seconds) or chart.notes[:1]
    return replace(chart, notes=keep)
