"""The simulated screens: every state drawn, distinct, with its buttons where layout.py
says; songs, levels, result counts, ready controls, markers and popups where others read them."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from services.recognition.song.levels import read_level
from services.recognition.song.preprocess import level_crop
from services.simulator import layout
from services.simulator import screens as S
from services.simulator.looks import READY_CONTROLS
from services.simulator.perturb import Perturbation, perturb
from shared.screen_facts import COOP_OFFSET, CUT_IN_REGION, LIVE_MODES, MODE_LABEL_REGION, RESULT_FIELDS
from shared.screens import UI_STATES


def _small(img: np.ndarray) -> np.ndarray:
    """What the UI classifier sees (docs/domain.md section 6)."""
    return cv2.resize(img, (160, 90), interpolation=cv2.INTER_AREA).astype(np.float32)


def test_every_state_renders_a_landscape_bgr_frame() -> None:
    rng = np.random.default_rng(0)
    for state in UI_STATES:
        for img in (S.render(S.ScreenView(state)), S.sample_screen(state, rng)):
            assert img.shape == (720, 1280, 3) and img.dtype == np.uint8, state
            assert img.std() > 10, f"{state} is nearly blank"


def test_states_differ_pairwise_even_at_classifier_size() -> None:
    small = {s: _small(S.render(S.ScreenView(s))) for s in UI_STATES}
    for a, b in itertools.combinations(UI_STATES, 2):
        assert np.abs(small[a] - small[b]).mean() > 5, (a, b)


def _views_per_button() -> list[tuple[str, frozenset[str], layout.Button]]:
    return [(state, frozenset({b.when} - {""}), b) for state in UI_STATES for b in layout.BUTTONS[state]]


def test_each_button_lies_on_a_drawn_control() -> None:
    for state, variants, b in _views_per_button():
        img = S.render(S.ScreenView(state, variants))
        bare = S.backdrop(state)
        x1, y1, x2, y2 = b.box
        box = (slice(max(y1, 0), min(y2, 720)), slice(max(x1, 0), min(x2, 1280)))
        changed = np.any(img[box] != bare[box], axis=2).mean()
        assert changed > 0.5, (state, variants, b.name, changed)
        if b.name in READY_CONTROLS:
            continue  # drawn as the game draws them (ready_controls.py): no outline
        # The outline sits on the layout box, unless another shown button covers it.
        shown = layout.buttons(state, variants)
        later = shown[shown.index(b) + 1 :]
        if any(_overlap(b.box, o.box) for o in later):
            continue
        y2 = min(y2, 719)
        edge = np.concatenate([img[y1, x1:x2], img[y2, x1:x2], img[y1:y2, x1], img[y1:y2, x2]])
        on_edge = np.all(edge == S.BUTTON_EDGE, axis=1).mean()
        assert on_edge > 0.9, (state, variants, b.name, on_edge)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_only_the_given_variants_are_drawn() -> None:
    plain = S.render(S.ScreenView("playmode"))
    left = S.render(S.ScreenView("playmode", frozenset({"event_left"})))
    (event,) = [b for b in layout.buttons("playmode", frozenset({"event_left"})) if b.name == "event"]
    x1, y1, x2, y2 = event.box
    assert np.any(plain[y1:y2, x1:x2] != left[y1:y2, x1:x2])
    assert np.array_equal(plain[:, :640], left[:, :640])  # nothing else moved


def _song(song_id: int, difficulty: int) -> S.SongCard:
    from services.simulator.titles import title_crop
    from shared.catalog import SHIPPED_SONGS_ALL, Catalog, load_songs_all

    songs = load_songs_all(SHIPPED_SONGS_ALL)
    crop = title_crop(song_id, None, Catalog(songs, SHIPPED_SONGS_ALL, True))
    return S.SongCard(song_id, crop, songs[song_id].levels, difficulty)


@pytest.mark.parametrize(
    ("state", "variants", "multiplayer", "region"),
    [
        ("choose", frozenset({"normal", "fixed"}), False, 0),
        ("join_choose", frozenset({"free"}), False, 0),
        ("ready", frozenset(), False, 0),
        ("ready", frozenset({"pick"}), True, 1),
    ],
)
def test_title_crop_and_level_sit_where_song_recognition_reads_them(
    state: str, variants: frozenset[str], multiplayer: bool, region: int
) -> None:
    song = _song(26, 3)
    img = S.render(S.ScreenView(state, variants, song=song, multiplayer=multiplayer))
    x1, y1, x2, y2 = (S.TITLE_REGION, S.MULTI_TITLE_REGION)[region]
    assert np.array_equal(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[y1:y2, x1:x2], song.title)
    assert read_level(level_crop(img, region)) == song.levels[3]


def test_twins_differ_only_in_the_level_row() -> None:
    for a, b, diff in ((389, 462, 0), (410, 467, 3)):
        sa, sb = _song(a, diff), _song(b, diff)
        assert np.array_equal(sa.title, sb.title) and sa.level != sb.level
        for state, variants in (("ready", frozenset()), ("choose", frozenset({"normal"}))):
            ia = S.render(S.ScreenView(state, variants, song=sa))
            ib = S.render(S.ScreenView(state, variants, song=sb))
            ys, xs = np.nonzero(np.any(ia != ib, axis=2))
            x1, _, _, y2 = S.TITLE_REGION
            assert len(ys) > 0
            assert (
                ys.min() >= y2 and ys.max() < y2 + 36 and xs.min() >= x1 and xs.max() < x1 + S.DIGIT_COLUMNS
            )
            assert read_level(level_crop(ia, 0)) == sa.level and read_level(level_crop(ib, 0)) == sb.level
        # With the difficulty buttons shown, their level labels differ too, and nothing else.
        ia = S.render(S.ScreenView("choose", frozenset({"normal", "fixed"}), song=sa))
        ib = S.render(S.ScreenView("choose", frozenset({"normal", "fixed"}), song=sb))
        ys, xs = np.nonzero(np.any(ia != ib, axis=2))
        labels = [
            b for b in layout.buttons("choose", frozenset({"fixed"})) if b.name.startswith("difficulty_")
        ]
        in_row = (ys >= 576) & (ys < 612) & (xs >= 220) & (xs < 220 + S.DIGIT_COLUMNS)
        under = np.zeros_like(in_row)
        for btn in labels:
            under |= (abs(xs - btn.x) <= btn.w // 2) & (ys > btn.y + 22) & (ys < btn.y + 50)
        assert (in_row | under).all() and under.any()


def test_result_counts_are_drawn_in_their_fields() -> None:
    """Each count in its field of shared.screen_facts (solo, and shifted on the co-op card);
    the reader of services.recognition.screen reads them back (tests/recognition)."""
    a = S.render(S.ScreenView("award", result=S.ResultCounts(1, 2, 3, 4, 5, 6, 7, 8, 9)))
    for coop, (dx, dy) in ((False, (0, 0)), (True, COOP_OFFSET)):
        a = S.render(S.ScreenView("award", result=S.ResultCounts(1, 2, 3, 4, 5, 6, 7, 8, 9, coop=coop)))
        b = S.render(S.ScreenView("award", result=S.ResultCounts(1, 2, 3, 4, 50, 6, 7, 8, 9, coop=coop)))
        ys, xs = np.nonzero(np.any(a != b, axis=2))
        x1, y1, x2, y2 = RESULT_FIELDS["miss"]
        assert x1 + dx <= xs.min() and xs.max() < x2 + dx and y1 + dy <= ys.min() and ys.max() < y2 + dy
    # The score screen shows the score alone, in its own field.
    a = S.render(S.ScreenView("award_score", result=S.ResultCounts(1, 2, 3, 4, 5, 6, 7, score=1234567)))
    b = S.render(S.ScreenView("award_score", result=S.ResultCounts(1, 2, 3, 4, 5, 6, 7, score=7654321)))
    ys, xs = np.nonzero(np.any(a != b, axis=2))
    x1, y1, x2, y2 = S.SCORE_FIELD
    assert x1 <= xs.min() and xs.max() < x2 and y1 <= ys.min() and ys.max() < y2
    with pytest.raises(ValueError, match="does not fit"):
        S.render(S.ScreenView("award", result=S.ResultCounts(12345, 0, 0, 0, 0, 0, 0)))


def test_ready_controls_change_only_their_places() -> None:
    """The mode label and the cut-in checkbox are drawn where shared.screen_facts says."""
    frames = {
        (m, c): S.render(S.ScreenView("ready", live_mode=m, cut_in=c))
        for m, c in itertools.product(LIVE_MODES, (True, False))
    }
    ys, xs = np.nonzero(np.any(frames[("3d", True)] != frames[("mv", True)], axis=2))
    x1, y1, x2, y2 = MODE_LABEL_REGION
    assert xs.min() >= x1 and ys.min() >= y1 and ys.max() < y2
    assert (frames[("3d", True)] == frames[("3d", False)]).all()  # no checkbox while 3D is on
    ys, xs = np.nonzero(np.any(frames[("off", True)] != frames[("off", False)], axis=2))
    x1, y1, x2, y2 = CUT_IN_REGION
    assert x1 <= xs.min() and xs.max() < x2 and y1 <= ys.min() and ys.max() < y2
    with pytest.raises(ValueError, match="unknown live mode"):
        S.ScreenView("ready", live_mode="4k")


def test_story_unread_marker() -> None:
    x, y = S.STORY_UNREAD_PIXEL
    unread = S.render(S.ScreenView("story_choose", story_unread=True))
    read = S.render(S.ScreenView("story_choose"))
    assert tuple(int(v) for v in unread[y, x]) == S.STORY_UNREAD
    assert tuple(int(v) for v in read[y, x]) != S.STORY_UNREAD


def test_popup_is_a_modal_over_any_screen() -> None:
    for state in ("main_page", "ready", "playing"):
        plain = S.render(S.ScreenView(state))
        pop = S.render(S.ScreenView(state, popup="Network unstable, retrying"))
        assert pop[50:150, 50:250].mean() < plain[50:150, 50:250].mean() * 0.6  # dimmed around
        assert pop[300:320, 400:880].mean() > 240  # the white dialog


def test_samples_are_seeded_and_unknown_screens_are_none_of_the_states() -> None:
    for state in ("ready", "award", "playing", "opps"):
        a = S.sample_screen(state, np.random.default_rng(3))
        assert np.array_equal(a, S.sample_screen(state, np.random.default_rng(3)))
    rng = np.random.default_rng(1)
    unknown = [S.sample_unknown(rng) for _ in range(8)]
    assert all(u.shape == (720, 1280, 3) and u.dtype == np.uint8 for u in unknown)
    states = [_small(S.render(S.ScreenView(s))) for s in UI_STATES]
    for u in unknown:
        assert min(np.abs(_small(u) - s).mean() for s in states) > 5


def test_bad_views_are_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown screen state 'lobby'"):
        S.ScreenView("lobby")
    with pytest.raises(ValueError, match="title crop must be 36x450"):
        S.SongCard(1, np.zeros((10, 10), np.uint8), {0: 5}, 0)
    with pytest.raises(ValueError, match="no level for difficulty 4"):
        S.SongCard(1, np.zeros((36, 450), np.uint8), {0: 5}, 4)
    with pytest.raises(ValueError, match="unknown screen state"):
        S.sample_screen("lobby", np.random.default_rng(0))


def test_the_playing_view_is_the_playfield() -> None:
    from services.simulator.field import NoteSprite, render_playfield

    notes = (NoteSprite("tap", 491, 400), NoteSprite("long", 788, 560, tail_y=300))
    view = S.ScreenView("playing", notes=notes, started=True, health=0.5, combo=12)
    assert np.array_equal(S.render(view), render_playfield(notes, health=0.5, combo=12, started=True))
    assert not np.array_equal(S.render(view), S.render(S.ScreenView("playing", notes=notes)))


def test_the_song_list_shows_the_song_and_its_neighbours() -> None:
    song, other = _song(26, 3), _song(5, 1)
    plain = S.render(S.ScreenView("choose", song=song))
    listed = S.render(S.ScreenView("choose", song=song, list_titles=(other.title,) * 4))
    ys, xs = np.nonzero(np.any(plain != listed, axis=2))
    cards = S.list_cards("choose")
    assert xs.min() >= cards[0][0] and xs.max() < cards[0][2] and ys.min() >= cards[0][1]
    # The selected (middle) card holds the song's own title, shrunk.
    x1, y1, x2, y2 = cards[2]
    assert cv2.cvtColor(plain, cv2.COLOR_BGR2GRAY)[y1:y2, x1:x2].min() < 120


def test_sampled_variants_are_variants_of_the_layout() -> None:
    for state, sets in S.VARIANT_SETS.items():
        known = {b.when for b in layout.BUTTONS[state]} - {""}
        for v in sets:
            assert v <= known, (state, v - known)


def test_captured_samples_are_nearest_to_their_own_state() -> None:
    """Separable for a classifier even before training: a random instance of each state,
    through capture, is nearest (at 160x90) to its own state's plain screen."""
    refs = np.stack([_small(S.render(S.ScreenView(s))) for s in UI_STATES])
    capture = Perturbation(brightness=0.1, noise=4.0, jpeg_quality=80, shift=3, scale=0.01)
    rng = np.random.default_rng(4)
    for i, state in enumerate(UI_STATES):
        q = _small(perturb(S.sample_screen(state, rng), capture, rng))
        nearest = int(np.abs(refs - q).mean(axis=(1, 2, 3)).argmin())
        assert nearest == i, (state, UI_STATES[nearest])
