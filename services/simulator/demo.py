"""What the product needs to know about the simulated game's songs, put where the product
looks: the songs the game offers that the catalogue lacks (``extra_songs``, e.g. the twin
676 of the trimmed shipped catalogue) in the data dir's catalogue, each offered song's
chart in the chart library and its title crop in the song gallery's title folder, as a
user would fetch and add them. Only what is missing is written (atomically), so a user's
own catalogue entries, charts and crops are never replaced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2

from services.simulator.charts import ChartSource
from services.simulator.scenario import Scenario
from services.simulator.titles import title_crop
from shared.atomic_write import write_atomic
from shared.catalog import SHIPPED_SONGS_ALL, load_catalog, songs_all_path
from shared.chart.library import ChartLibrary


def seed_data_dir(scenario: Scenario, data_dir: Path) -> list[str]:
    """Charts and title crops of the scenario's songs the data dir lacks; returns what was
    added, for the log."""
    added: list[str] = []
    if not scenario.seed_data:
        return added
    added += add_catalogue_songs(
        data_dir, {sid: (x.title, x.levels) for sid, x in scenario.extra_songs.items()}
    )
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


def catalogue_entry(title: str, levels: dict[int, int]) -> dict[str, Any]:
    """A song as Bestdori's ``songs/all.5.json`` (the file fetch keeps) holds it."""
    return {
        "tag": "normal",
        "bandId": 1,
        "musicTitle": [title] * 5,
        "publishedAt": ["1600000000000"] * 5,
        "closedAt": ["4121982000000"] * 5,
        "difficulty": {str(d): {"playLevel": lv} for d, lv in levels.items()},
    }


def add_catalogue_songs(data_dir: Path, songs: dict[int, tuple[str, dict[int, int]]]) -> list[str]:
    """The songs (id -> (title, difficulty -> level)) the data dir's catalogue (else the
    shipped one) lacks, added to the data dir's catalogue; returns what was added."""
    missing = {sid: song for sid, song in songs.items() if load_catalog(data_dir).get(sid) is None}
    if not missing:
        return []
    path = songs_all_path(data_dir)
    raw: dict[str, Any] = json.loads(
        (path if path.is_file() else SHIPPED_SONGS_ALL).read_text(encoding="utf-8")
    )
    for sid, (title, levels) in missing.items():
        raw[str(sid)] = catalogue_entry(title, levels)
    write_atomic(path, json.dumps(raw, ensure_ascii=False).encode())
    return [f"song {sid} in the catalogue" for sid in missing]
