"""The real SongRecognizer (shipped model, a gallery of catalog titles) reads the songs off
the simulated song select and ready screens; identical titles are told apart by level."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from services.recognition.song import SongRecognizer
from services.simulator import screens as S
from services.simulator.perturb import Perturbation, perturb
from services.simulator.titles import title_crop
from shared.catalog import SHIPPED_SONGS_ALL, Catalog, load_songs_all
from shared.title_render import render_titles

# Latin, kana, kanji, long and short titles, and the identical-title pairs of the catalog.
IDS = (1, 2, 3, 5, 13, 20, 26, 41, 100, 128, 200, 301, 389, 462, 410, 467)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_songs_all(SHIPPED_SONGS_ALL), SHIPPED_SONGS_ALL, True)


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> SongRecognizer:
    titles = tmp_path_factory.mktemp("title_imgs")
    songs = [catalog.songs[i] for i in IDS]
    render_titles({s.id: s.title for s in songs}, titles)
    levels = {s.id: s.levels for s in catalog}
    return SongRecognizer(titles, titles.parent / "gallery.json", levels=levels)


def _unique_difficulty(catalog: Catalog, song_id: int) -> int:
    """A difficulty whose level no song with the same title has (how the game tells twins)."""
    song = catalog.songs[song_id]
    twins = [s for s in catalog if s.title == song.title and s.id != song_id]
    other = {lv for t in twins for lv in t.levels.values()}
    return next(d for d, lv in sorted(song.levels.items()) if lv not in other)


@pytest.mark.parametrize(
    ("state", "variants", "multiplayer"),
    [
        ("choose", frozenset({"normal", "fixed"}), False),
        ("join_choose", frozenset({"free"}), False),
        ("ready", frozenset(), False),
        ("ready", frozenset({"pick"}), True),
    ],
)
def test_songs_are_recognised_from_rendered_screens(
    recognizer: SongRecognizer, catalog: Catalog, state: str, variants: frozenset[str], multiplayer: bool
) -> None:
    rng = np.random.default_rng(11)
    capture = Perturbation(brightness=0.08, noise=2.0, jpeg_quality=90)
    for song_id in IDS:
        diff = _unique_difficulty(catalog, song_id)
        card = S.SongCard(song_id, title_crop(song_id, None, catalog), catalog.songs[song_id].levels, diff)
        frame = S.render(S.ScreenView(state, variants, song=card, multiplayer=multiplayer))
        m = recognizer.match(perturb(frame, capture, rng))
        assert m.id == song_id, (state, song_id, m.as_dict())
        assert m.region == (1 if multiplayer else 0)


def test_twins_are_ambiguous_when_the_level_fits_both(recognizer: SongRecognizer, catalog: Catalog) -> None:
    # 389 and 462 share hard level 21: the title and the level cannot decide.
    card = S.SongCard(389, title_crop(389, None, catalog), catalog.songs[389].levels, 2)
    m = recognizer.match(S.render(S.ScreenView("ready", song=card)))
    assert m.id is None and m.ambiguous == [389, 462] and m.level == 21


def test_title_crop_prefers_the_reference_picture(tmp_path: Path, catalog: Catalog) -> None:
    ref = np.full((36, 450), 200, np.uint8)
    cv2.putText(ref, "REF", (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    cv2.imwrite(str(tmp_path / "t-26.png"), ref)
    assert np.array_equal(title_crop(26, tmp_path, catalog), ref)
    # Not in the dir: rendered from the catalog; identical titles, identical pictures.
    assert title_crop(1, tmp_path, catalog).shape == (36, 450)
    assert np.array_equal(title_crop(410, None, catalog), title_crop(467, tmp_path, catalog))
    cv2.imwrite(str(tmp_path / "t-5.png"), ref[:, :200])
    with pytest.raises(ValueError, match=r"t-5\.png: expected a 450x36 title crop"):
        title_crop(5, tmp_path, catalog)
    with pytest.raises(KeyError, match="song 99999 is not in the catalog"):
        title_crop(99999, tmp_path, catalog)
