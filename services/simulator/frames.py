"""The game's view as a picture: ``screens.render`` for the 34 screens, ``field`` for the
playfield, ``sample_unknown`` for the launcher and unknown screens, then the scenario's
capture perturbations (``perturb``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from services.simulator.charts import SHIPPED_DATA
from services.simulator.field import NoteSprite, render_playfield
from services.simulator.game import LAUNCHER, UNKNOWN, GameView
from services.simulator.perturb import Perturbation, perturb
from services.simulator.scenario import Scenario
from services.simulator.screens import ResultCounts, ScreenView, SongCard, render, sample_unknown
from services.simulator.titles import title_crop
from shared.catalog import DIFFICULTIES, Catalog, Song, load_catalog, shown_title

Frame = np.ndarray
SONG_SCREENS = ("choose", "join_choose", "ready")


def scenario_catalog(scenario: Scenario, data_dir: Path | None) -> Catalog:
    """The song catalog (the data dir's, else the shipped one) with the scenario's
    ``extra_songs`` for songs it lacks and its ``shown_levels`` over the levels it has."""
    base = (
        load_catalog(data_dir) if data_dir is not None else load_catalog(scenario.chart_dir or SHIPPED_DATA)
    )
    if not scenario.extra_songs and not scenario.shown_levels:
        return base
    songs = dict(base.songs)
    for sid, info in scenario.extra_songs.items():
        songs.setdefault(sid, Song(id=sid, titles=(info.title,) * 5, band_id=None, levels=dict(info.levels)))
    for sid, levels in scenario.shown_levels.items():
        if sid in songs:  # the game's own levels: what its screens show
            songs[sid] = replace(songs[sid], levels={**songs[sid].levels, **levels})
    return replace(base, songs=songs)


class FrameRenderer:
    def __init__(self, scenario: Scenario, data_dir: Path | None = None) -> None:
        self.sc = scenario
        self.catalog = scenario_catalog(scenario, data_dir)
        self.rng = np.random.default_rng(scenario.seed)
        f = scenario.frame
        self.perturbation = (
            Perturbation(f.brightness, f.noise, f.jpeg_quality or None, f.shift, f.scale)
            if (f.brightness or f.noise or f.jpeg_quality or f.shift or f.scale)
            else None
        )
        self._launcher = sample_unknown(np.random.default_rng(scenario.seed + 1))

    def __call__(self, view: GameView) -> Frame:
        frame = self.draw(view)
        return perturb(frame, self.perturbation, self.rng) if self.perturbation else frame

    def draw(self, view: GameView) -> Frame:
        if view.state == LAUNCHER:
            return self._launcher
        if view.state == UNKNOWN:
            return sample_unknown(np.random.default_rng(self.sc.seed + 1000 + view.key))
        if view.state == "playing":
            notes = [
                NoteSprite("long" if n.kind == "slide" else n.kind, n.x, n.y, n.width, n.direction, n.tail_y)
                for n in view.notes
            ]
            return render_playfield(notes, started=view.started, combo=view.combo, health=view.life)
        song = self.card(view.song, view.difficulty) if view.state in SONG_SCREENS else None
        result = None
        if view.counts is not None:
            c = view.counts
            entry = self.catalog.get(view.song)
            result = ResultCounts(
                c["perfect"], c["great"], c["good"], c["bad"], c["miss"], c["fast"], c["slow"],
                c["max_combo"],
                score=c.get("score", 0),
                difficulty=DIFFICULTIES[view.difficulty],
                level=entry.levels.get(view.difficulty, 0) if entry is not None else 0,
                title=shown_title(entry.title) if entry is not None else "",
                coop=view.coop,
            )  # fmt: skip
        return render(
            ScreenView(
                state=view.state,
                variants=view.variants,
                song=song,
                multiplayer=view.title_layout == "ready",
                result=result,
                live_mode=view.live_mode,
                cut_in=view.cut_in,
                story_unread=view.unread_story,
                medley=tuple(c for c in (self.card(s, d) for s, d in view.medley) if c is not None),
            )
        )

    def card(self, song_id: int, difficulty: int) -> SongCard | None:
        try:
            crop = title_crop(song_id, self.sc.titles_dir, self.catalog)
        except KeyError:
            return None  # a song the catalog does not know: drawn without a title
        entry = self.catalog.get(song_id)
        levels = dict(entry.levels) if entry is not None and entry.levels else {difficulty: 0}
        shown = difficulty if difficulty in levels else min(levels, key=lambda d: abs(d - difficulty))
        return SongCard(song_id, crop, levels, shown, self.sc.level_font)
