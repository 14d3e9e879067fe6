"""The ready screen's song (services.recognition.screen.ready_song): the difficulty badge
and level the simulator draws at the real game's places, read at every capture size, as
JPEG, darker and brighter; a co-op room's level; a frame without a song reads nothing;
twins' levels in other fonts, by the ready reader and the recogniser's level row alike
(the one number reader, services.recognition.screen.glyphs)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from services.recognition.screen.frame import to_reference
from services.recognition.screen.ready_song import read_ready_song
from services.recognition.song.levels import read_level
from services.recognition.song.preprocess import level_crop
from services.simulator.charts import SHIPPED_DATA
from services.simulator.scenario import Scenario
from services.simulator.screens import ScreenView, SongCard, render
from services.simulator.titles import title_crop
from shared.catalog import DIFFICULTIES, load_catalog
from shared.screen_facts import COOP_READY_LEVEL, READY_BADGE, READY_LEVEL
from tests.recognition.captures import CAPTURES

CATALOG = load_catalog(SHIPPED_DATA)


def card(song_id: int, difficulty: int, level: int) -> SongCard:
    return SongCard(song_id, title_crop(song_id, None, CATALOG), {difficulty: level}, difficulty)


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_badge_and_level_read_at_every_size_and_capture(capture: str) -> None:
    for difficulty, level in ((0, 5), (1, 12), (2, 18), (3, 25), (3, 26), (4, 31)):
        frame = render(ScreenView("ready", frozenset(), song=card(316, difficulty, level)))
        got = read_ready_song(CAPTURES[capture](frame))
        assert (got.difficulty, got.level) == (DIFFICULTIES[difficulty], level), (capture, difficulty, level)


def test_the_coop_rooms_level_is_read_and_it_has_no_badge() -> None:
    for level in (7, 26, 30):
        frame = render(ScreenView("ready", frozenset({"pick"}), song=card(316, 3, level), multiplayer=True))
        assert read_ready_song(frame, multiplayer=True).as_dict() == {"difficulty": None, "level": level}


def test_a_ready_screen_without_a_song_reads_as_nothing() -> None:
    """(The reader is for the ready screen: the loop calls it there only.)"""
    for multi in (False, True):
        frame = render(ScreenView("ready", frozenset({"pick"} if multi else ()), multiplayer=multi))
        assert read_ready_song(frame, multi).as_dict() == {"difficulty": None, "level": None}


def test_the_simulator_draws_badge_and_level_inside_the_real_boxes() -> None:
    """Only the badge box and the level box change between two difficulties / levels."""
    for multi, box in ((False, READY_LEVEL), (True, COOP_READY_LEVEL)):
        variants = frozenset({"pick"}) if multi else frozenset()
        a = render(ScreenView("ready", variants, song=card(316, 3, 25), multiplayer=multi))
        b = render(ScreenView("ready", variants, song=card(316, 3, 18), multiplayer=multi))
        ys, xs = np.nonzero(np.any(a != b, axis=2))
        assert (
            len(ys) and xs.min() >= box[0] and xs.max() < box[2] and ys.min() >= box[1] and ys.max() < box[3]
        )
    a = render(ScreenView("ready", frozenset(), song=card(316, 3, 25)))
    b = render(ScreenView("ready", frozenset(), song=card(316, 2, 25)))
    ys, xs = np.nonzero(np.any(a != b, axis=2))
    x1, y1, x2, y2 = READY_BADGE
    assert len(ys) and xs.min() >= x1 and xs.max() < x2 and ys.min() >= y1 and ys.max() < y2
    hsv = cv2.cvtColor(a[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
    assert (hsv[..., 1] >= 100).mean() > 0.5  # a coloured badge, not text on the backdrop


# Faces the digit templates are drawn from and faces they are not (shared.fonts.SANS_FILES).
OTHER_FONTS = ("ipag.ttf", "DejaVuSans-Bold.ttf", "NotoSerifCJK-Regular.ttc", "DejaVuSerif.ttf")


@pytest.mark.parametrize("font", OTHER_FONTS)
def test_twins_levels_are_read_in_other_fonts_by_both_readers(font: str) -> None:
    """316 and 676 share a title and differ by level (25 / 26): the ready page's reader and
    the recogniser's level row read the level right in a face the game might use."""
    for level in (25, 26, 8, 13, 31):
        song = SongCard(316, title_crop(316, None, CATALOG), {3: level}, 3, font)
        frame = render(ScreenView("ready", frozenset(), song=song))
        for capture in ("1280x720", "darker JPEG"):
            shot = CAPTURES[capture](frame)
            assert read_ready_song(shot).level == level, (font, level, capture)
            assert read_level(level_crop(to_reference(shot), 0)) == level, (font, level, capture)


def test_a_level_font_that_is_not_installed_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"no font file 'NoSuchFont\.ttf'"):
        Scenario.model_validate({"level_font": "NoSuchFont.ttf"})
