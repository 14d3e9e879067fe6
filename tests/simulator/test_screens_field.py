"""The playfield: notes in their kinds' HSV ranges (what the play engine's detector masks),
bodies and background outside every range, the health pixel by ``started``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from services.simulator.field import NoteSprite, render_playfield
from shared.playfield import (
    HEALTH_PIXEL,
    HEALTH_RANGE,
    LANE_X,
    LIFE_BAR,
    NOTE_COLOURS,
    TRACK,
    HsvRange,
    lane_x_at,
    perspective,
    x_at,
    y_of_depth,
)


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
    y = y_of_depth(0.7)
    hsv, changed = _changed([NoteSprite("directional", LANE_X[3], y, 2.0, direction)])
    assert changed.sum() > 500
    assert _in(hsv, (NOTE_COLOURS["directional"][colour],))[changed].all()
    xs = np.nonzero(changed)[1]
    reach = 148 * perspective(y)  # 2 lanes wide, narrowed by the perspective at its height
    assert (xs.min() < LANE_X[3] - reach) if direction == "Left" else (xs.max() > LANE_X[3] + reach)


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


def test_life_bar_fills_from_the_left_and_the_health_pixel_shows_play_started() -> None:
    x, y = HEALTH_PIXEL
    # The real bar (x 970-1182) fills from the left: the first version's pixel at x 1080
    # is green while life >= (1080 - 970) / 212 ~ 52 %.
    for started, health, want in (
        (True, 1.0, True),
        (True, 0.6, True),
        (True, 0.45, False),
        (False, 1.0, False),
        (True, 0.0, False),
    ):
        img = render_playfield([], health=health, started=started)
        h, s, v = (int(c) for c in cv2.cvtColor(img[y : y + 1, x : x + 1], cv2.COLOR_BGR2HSV)[0, 0])
        assert HEALTH_RANGE.contains((h, s, v)) is want, (started, health)
    x1, y1, x2, y2 = LIFE_BAR
    row = cv2.cvtColor(
        render_playfield([], health=0.25)[(y1 + y2) // 2 : (y1 + y2) // 2 + 1], cv2.COLOR_BGR2HSV
    )
    green = [HEALTH_RANGE.contains(tuple(int(c) for c in row[0, i])) for i in range(x1, x2 + 1)]  # type: ignore[arg-type]
    filled = green.index(False)
    assert abs(filled - 0.25 * (x2 - x1)) <= 2 and not any(green[filled:])


def test_bad_notes_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown note kind 'hold'"):
        NoteSprite("hold", 100, 200)
    with pytest.raises(ValueError, match="needs direction Left or Right"):
        NoteSprite("directional", 100, 200)


@pytest.mark.parametrize("lane", range(7))
@pytest.mark.parametrize("d", [0.0, 0.3, 0.7, 1.0])
def test_a_note_is_drawn_on_its_lane_where_the_perspective_model_puts_it(lane: int, d: float) -> None:
    """Lanes converge toward (640, 20): x(y) = 640 + (x_judge - 640) * (y - 20) / 570."""
    y = y_of_depth(d)
    _, changed = _changed([NoteSprite("tap", LANE_X[lane], y)])
    ys, xs = np.nonzero(changed)
    assert abs((xs.min() + xs.max()) / 2 - (640 + (LANE_X[lane] - 640) * (y - 20) / 570)) <= 1
    assert abs((ys.min() + ys.max()) / 2 - y) <= 1
    assert lane_x_at(lane, y) == x_at(LANE_X[lane], y)
    # Narrower toward the vanishing point, full size on the judge line.
    assert abs((xs.max() - xs.min()) - 120 * perspective(y)) <= 2


def test_lane_lines_converge_toward_the_vanishing_point() -> None:
    img = render_playfield([])
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    for y in (100, 300, 500):
        # The boundary between lanes 2 and 3 on this row, where the model puts it.
        xb = x_at((LANE_X[2] + LANE_X[3]) / 2, y)
        row = grey[y, round(xb) - 6 : round(xb) + 7]
        assert abs(int(np.argmax(row)) - 6) <= 2, (y, row)
