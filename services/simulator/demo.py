"""What the product needs to know about the simulated game's songs, put where the product
looks: each offered song's chart in the chart library and its title crop in the song
gallery's title folder, as a user would fetch and add them. Only what is missing is
written (atomically), so a user's own charts and crops are never replaced."""

from __future__ import annotations

from pathlib import Path

import cv2

from services.simulator.charts import ChartSource
from services.simulator.scenario import Scenario
from services.simulator.titles import title_crop
from shared.atomic_write import write_atomic
from shared.catalog import load_catalog
from shared.chart.library import ChartLibrary


def seed_data_dir(scenario: Scenario, data_dir: Path) -> list[str]:
    """Charts and title crops of the scenario's songs the data dir lacks; returns what was
    added, for the log."""
    added: list[str] = []
    if not scenario.seed_data:
        return added
    library = ChartLibrary(data_dir)
    source = ChartSource(scenario.chart_dir or data_dir)
    catalog = load_catalog(data_dir)
    titles = Path(data_dir) / "song_recognition" / "title_imgs"
    for song in dict.fromkeys(scenario.songs):
        for lib in source.libraries:
            for difficulty in lib.difficulties(song):
                if not library.has(song, difficulty):
                    write_atomic(library.path(song, difficulty), lib.path(song, difficulty).read_bytes())
                    added.append(f"chart {song}_{difficulty}")
        target = titles / f"t-{song}.png"
        if not target.exists() and (catalog.get(song) is not None or scenario.titles_dir is not None):
            try:
                crop = title_crop(song, scenario.titles_dir, catalog)
            except (KeyError, ValueError):
                continue  # a song the catalog does not know: add it with add_song
            ok, png = cv2.imencode(".png", crop)
            if ok:
                write_atomic(target, png.tobytes())
                added.append(f"title t-{song}.png")
    return added
