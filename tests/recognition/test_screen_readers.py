"""The readers of the real game's screens (services.recognition.screen) on the simulator's
drawing of the real layouts: at 1280x720, 1600x900, 1920x1080, as JPEG and darker; the
co-op card; twins told apart by their level; the ready controls; the life bar."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from services.recognition.screen.frame import FrameError, to_reference
from services.recognition.screen.playing import read_playing
from services.recognition.screen.ready import read_ready
from services.recognition.screen.result import read_result
from services.simulator.field import render_playfield
from services.simulator.screens import ResultCounts, ScreenView, render, sample_result
from shared.catalog import SHIPPED_SONGS_ALL, Song, load_songs_all
from shared.playfield import LANE_X
from shared.screen_facts import JUDGE_MARKER_BAND, LIFE_BAR, LIVE_MODES
from tests.recognition.captures import CAPTURES

Frame = npt.NDArray[np.uint8]
SONGS = tuple(load_songs_all(SHIPPED_SONGS_ALL).values())


def expected(c: ResultCounts) -> dict[str, object]:
    return {
        "perfect": c.perfect, "great": c.great, "good": c.good, "bad": c.bad, "miss": c.miss,
        "fast": c.fast, "slow": c.slow, "max_combo": c.combo, "score": c.score,
        "difficulty": c.difficulty, "level": c.level, "panel": "coop" if c.coop else "solo",
    }  # fmt: skip


@pytest.mark.parametrize("capture", CAPTURES)
def test_result_screens_read_exactly_at_every_size_and_capture(capture: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(4):
        counts = sample_result(rng)
        frame = CAPTURES[capture](render(ScreenView("award", result=counts)))
        r = read_result(frame, SONGS)
        got = r.as_dict()
        assert {k: got[k] for k in expected(counts)} == expected(counts), (capture, counts)
        assert r.title == counts.title and r.complete
        assert r.song_id is not None and counts.title in {
            t for s in SONGS if s.id == r.song_id for t in (s.title, *(x or "" for x in s.titles))
        } | {counts.title}


def test_the_coop_card_is_read_at_its_offset() -> None:
    counts = ResultCounts(812, 23, 4, 1, 2, 17, 9, combo=401, score=1234567, difficulty="expert", level=28,
                          title="SENSENFUKOKU", coop=True)  # fmt: skip
    r = read_result(render(ScreenView("award", result=counts)), SONGS)
    assert r.panel == "coop" and (r.perfect, r.great, r.fast, r.max_combo, r.score) == (
        812,
        23,
        17,
        401,
        1234567,
    )
    assert (r.song_id, r.title) == (596, "SENSENFUKOKU")


def test_twins_are_told_apart_by_their_level() -> None:
    twins = (
        Song(316, ("オレンジ", "Orange", None, None, None), 1, {3: 25}),
        Song(676, ("オレンジ", None, None, None, None), 1, {3: 26}),
    )
    for level, song_id in ((25, 316), (26, 676)):
        counts = ResultCounts(
            500, 0, 0, 0, 0, 0, 0, combo=500, score=900000, difficulty="expert", level=level, title="オレンジ"
        )
        r = read_result(render(ScreenView("award", result=counts)), twins)
        assert (r.song_id, r.title, r.level) == (song_id, "オレンジ", level)
    # Same title and level: which one is not known, the title is.
    same = (twins[0], Song(999, ("オレンジ",) * 5, 1, {3: 25}))
    counts = ResultCounts(
        500, 0, 0, 0, 0, 0, 0, combo=500, score=900000, difficulty="expert", level=25, title="オレンジ"
    )
    r = read_result(render(ScreenView("award", result=counts)), same)
    assert (r.song_id, r.title) == (None, "オレンジ")


def test_other_screens_read_as_nothing() -> None:
    for state in ("main_page", "ready", "choose"):
        r = read_result(render(ScreenView(state)), SONGS)
        assert r.counts_read <= 1 and not r.complete and r.song_id is None, state


@pytest.mark.parametrize("capture", CAPTURES)
def test_ready_mode_and_cut_in(capture: str) -> None:
    for mode in LIVE_MODES:
        for cut_in in (True, False):
            frame = CAPTURES[capture](render(ScreenView("ready", live_mode=mode, cut_in=cut_in)))
            r = read_ready(frame)
            assert (r.mode, r.cut_in) == (mode, cut_in if mode == "off" else None), (capture, mode, cut_in)
    assert read_ready(render(ScreenView("main_page"))).mode is None


def _hud(life: float) -> Frame:
    """A playing frame drawn from the facts: the life bar filled from the left, judge markers."""
    img = np.full((720, 1280, 3), (60, 30, 40), np.uint8)
    x1, y1, x2, y2 = LIFE_BAR
    cv2.rectangle(img, (x1, y1), (x2 - 1, y2 - 1), (50, 50, 50), -1)
    if life > 0:
        cv2.rectangle(img, (x1, y1), (x1 + round((x2 - x1) * life) - 1, y2 - 1), (90, 200, 60), -1)
    m1 = JUDGE_MARKER_BAND[0]
    for x in LANE_X:
        cv2.rectangle(img, (x - 30, m1 + 12), (x + 30, m1 + 22), (245, 245, 245), -1)
    return img


@pytest.mark.parametrize("capture", CAPTURES)
def test_life_is_the_bars_fill_and_playing_does_not_depend_on_it(capture: str) -> None:
    for life in (1.0, 0.6, 0.3, 0.05, 0.0):
        r = read_playing(CAPTURES[capture](_hud(life)))
        assert r.playing and r.life is not None and abs(r.life - life) <= 0.02, (capture, life, r)
    r = read_playing(render(ScreenView("main_page")))
    assert not r.playing and r.life is None


def test_frames_that_are_not_16_9_are_refused() -> None:
    with pytest.raises(FrameError, match="16:9"):
        to_reference(np.zeros((768, 1024, 3), np.uint8))
    with pytest.raises(FrameError, match="uint8"):
        to_reference(np.zeros((720, 1280, 3), np.float32))
    assert to_reference(np.zeros((360, 640), np.uint8)).shape == (720, 1280, 3)


@pytest.mark.parametrize("capture", CAPTURES)
def test_life_on_the_simulators_playfield(capture: str) -> None:
    """The simulator's HUD (drawn from the same facts by services.simulator.field)."""
    for health in (1.0, 0.6, 0.3, 0.05):
        r = read_playing(CAPTURES[capture](render_playfield([], health=health, started=True)))
        assert r.playing and r.life is not None and abs(r.life - health) <= 0.02, (capture, health, r)
