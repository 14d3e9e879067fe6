"""The playfield: notes in their kinds' HSV ranges (what the play engine's detector masks),
bodies and background outside every range, the health pixel by ``started``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from services.simulator.field import NoteSprite, render_playfield
from shared.playfield import HEALTH_PIXEL, HEALTH_RANGE, LANE_X, NOTE_COLOURS, TRACK, HsvRange, y_of_depth


def _in(hsv: np.ndarray, ranges: tuple[HsvRange, ...]) -> np.ndarray:
    m = np.zeros(hsv.shape[:2], bool)
    for r in ranges:
        m |= np.all((hsv >= r.lo) & (hsv <= r.hi), axis=-1)
    return m


ALL_RANGES = tuple(r for rs in NOTE_COLOURS.values() for r in rs)


def _changed(notes: list[NoteSprite]) -> tuple[np.ndarray, np.ndarray]:
    img = render_playfield(notes)
    bare = render_playfield([])
    return cv2.cvtColor(img, cv2.COLOR_BGR2HSV).astype(np.int32), np.any(img != bare, axis=2)


@pytest.mark.parametrize("kind", ["tap", "flick", "skill"])
@pytest.mark.parametrize("depth", [0.05, 0.5, 1.0])
def test_every_note_pixel_is_inside_its_kinds_range(kind: str, depth: float) -> None:
    hsv, changed = _changed([NoteSprite(kind, LANE_X[2], y_of_depth(depth))])
    assert changed.sum() > 200
    assert _in(hsv, NOTE_COLOURS[kind])[changed].all()


@pytest.mark.parametrize(("direction", "colour"), [("Left", 0), ("Right", 1)])
def test_directional_notes_are_purple_or_orange(direction: str, colour: int) -> None:
    hsv, changed = _changed([NoteSprite("directional", LANE_X[3], y_of_depth(0.7), 2.0, direction)])
    assert changed.sum() > 500
    assert _in(hsv, (NOTE_COLOURS["directional"][colour],))[changed].all()
    xs = np.nonzero(changed)[1]
    assert (
        (xs.min() < LANE_X[3] - 148) if direction == "Left" else (xs.max() > LANE_X[3] + 148)
    )  # 2 lanes wide


@pytest.mark.parametrize("kind", ["long", "slide"])
def test_long_bodies_are_not_taken_for_heads(kind: str) -> None:
    y = y_of_depth(0.9)
    hsv, changed = _changed([NoteSprite(kind, LANE_X[4], y, tail_y=y - 250)])
    heads = _in(hsv, NOTE_COLOURS["long"]) & changed
    body = changed & ~heads
    assert body.sum() > 2000
    assert not _in(hsv, ALL_RANGES)[body].any()  # the body is in no note range
    ys = np.nonzero(heads)[0]
    assert ys.min() > y - 30 and ys.max() < y + 30  # in-range pixels only at the head


def test_nothing_but_notes_on_the_track_is_in_a_note_range() -> None:
    img = render_playfield([], combo=123)
    x1, y1, x2, y2 = TRACK
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV).astype(np.int32)
    assert not _in(hsv[y1:y2, x1:x2], ALL_RANGES).any()


def test_health_pixel_shows_that_play_started() -> None:
    x, y = HEALTH_PIXEL
    for started, health, want in (
        (True, 1.0, True),
        (True, 0.3, True),
        (False, 1.0, False),
        (True, 0.0, False),
    ):
        img = render_playfield([], health=health, started=started)
        h, s, v = (int(c) for c in cv2.cvtColor(img[y : y + 1, x : x + 1], cv2.COLOR_BGR2HSV)[0, 0])
        assert HEALTH_RANGE.contains((h, s, v)) is want, (started, health)


def test_bad_notes_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown note kind 'hold'"):
        NoteSprite("hold", 100, 200)
    with pytest.raises(ValueError, match="needs direction Left or Right"):
        NoteSprite("directional", 100, 200)
