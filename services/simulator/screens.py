"""The simulated game's screens, drawn by code (pure: a view in, a 720x1280 BGR frame out).

Every one of the 34 states (``shared/screens.py``) has its own colours, header, text and
layout, with the buttons of ``layout.py`` drawn at their boxes (only the variants shown):
``looks.py``.

Song select and ready show the song's title crop at the documented title region and its
level number in the row below (``shared.catalogue.regions``), so the real
``SongRecognizer`` reads these screens; the result screen draws the real game's card
(``result_card.py``) and the ready screen its live-mode button and cut-in checkbox
(``ready_controls.py``), both at the places ``shared.screen_facts`` names.

Everything that does not depend on the song, counts or toggles is drawn once per
(state, variants) and cached; a render is a copy plus a few pastes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

from services.simulator import layout
from services.simulator.draw import FONT_BOLD, Frame, dim, gradient, panel, text
from services.simulator.field import NoteSprite, render_playfield
from services.simulator.looks import (
    BUTTON_EDGE,
    DIFFICULTY_BGR,
    DIGIT_COLUMNS,
    DIGIT_H,
    DIGIT_W,
    LOOKS,
    MULTI_TITLE_REGION,
    SCORE_FIELD,
    STORY_UNREAD,
    STORY_UNREAD_PIXEL,
    TITLE_REGION,
    backdrop_frame,
    list_cards,
    screen_frame,
)
from services.simulator.ready_controls import draw_ready_controls
from services.simulator.result_card import ResultCard, draw_badge, draw_result_card
from shared.catalog import DIFFICULTIES, shown_title
from shared.catalogue import VARIANT_SETS  # the variant sets a screen can show (game.variants())
from shared.catalogue.regions import LEVEL_OFFSET_Y
from shared.catalogue.regions import TITLE_H as H
from shared.catalogue.regions import TITLE_W as W
from shared.fonts import font_file
from shared.playfield import HEIGHT, LANE_X, WIDTH, y_of_depth
from shared.screen_facts import LIVE_MODES, MEDLEY_TITLE_REGIONS, READY_BADGE, READY_LEVEL, RESULT_FIELDS


@dataclass(frozen=True)
class SongCard:
    """The song on song select / ready."""

    song_id: int
    title: npt.NDArray[np.uint8]  # 36x450 grey title crop, dark text on light background
    levels: Mapping[int, int]  # difficulty index (0 easy .. 4 special) -> level number
    difficulty: int  # selected difficulty index
    level_font: str | None = None  # font file the level is drawn in (None: the first sans face)

    def __post_init__(self) -> None:
        if self.title.shape != (H, W) or self.title.dtype != np.uint8:
            raise ValueError(f"song {self.song_id}: title crop must be {H}x{W} uint8, got {self.title.shape}")
        if self.difficulty not in self.levels:
            raise ValueError(f"song {self.song_id} has no level for difficulty {self.difficulty}")

    @property
    def level(self) -> int:
        return int(self.levels[self.difficulty])


@dataclass(frozen=True)
class ResultCounts:
    perfect: int
    great: int
    good: int
    bad: int
    miss: int
    fast: int
    slow: int
    combo: int = 0  # MAX COMBO
    score: int = 0
    # the top bar: difficulty (easy .. special; None: no bar), level, the title as shown
    difficulty: str | None = None
    level: int = 0
    title: str = ""
    coop: bool = False  # the co-op result panel (shifted by COOP_OFFSET)

    def card(self) -> ResultCard:
        counts = {
            k: int(getattr(self, k)) for k in ("perfect", "great", "good", "bad", "miss", "fast", "slow")
        }
        counts["max_combo"] = self.combo
        return ResultCard(counts, self.score, self.difficulty, self.level, self.title, self.coop)


@dataclass(frozen=True)
class ScreenView:
    state: str  # one of shared.screens.UI_STATES
    variants: frozenset[str] = frozenset()  # layout.buttons() variants shown
    song: SongCard | None = None
    multiplayer: bool = False  # ready: title at MULTI_TITLE_REGION instead of TITLE_REGION
    result: ResultCounts | None = None
    live_mode: str = "3d"  # ready: the mode button's state, one of LIVE_MODES
    cut_in: bool = True  # ready: the 3D cut-in checkbox (shown only while live_mode is "off")
    story_unread: bool = False
    popup: str | None = None  # a modal drawn over the screen (a fault); None = no popup
    caption: str = ""
    # song select: title crops of the neighbouring songs in the list (up to 4: two above,
    # two below the selected one)
    list_titles: tuple[npt.NDArray[np.uint8], ...] = ()
    # ready of a tour medley: the 2nd and 3rd songs, drawn at MEDLEY_TITLE_REGIONS
    medley: tuple[SongCard, ...] = ()
    # playing: the playfield's notes, whether play started (health pixel), health, combo
    notes: tuple[NoteSprite, ...] = ()
    started: bool = False
    health: float = 1.0
    combo: int = 0

    def __post_init__(self) -> None:
        if self.state not in layout.BUTTONS:
            raise ValueError(f"unknown screen state {self.state!r}")
        if self.live_mode not in LIVE_MODES:
            raise ValueError(f"unknown live mode {self.live_mode!r} (known: {LIVE_MODES})")


def buttons(view: ScreenView) -> tuple[layout.Button, ...]:
    """The buttons ``view`` shows (layout.py is the one table)."""
    return layout.buttons(view.state, view.variants)


def _draw_list(
    img: Frame, state: str, song: SongCard | None, others: tuple[npt.NDArray[np.uint8], ...]
) -> None:
    """Title crops (shrunk) in the list cards: the song in the middle, ``others`` around it."""
    around: list[npt.NDArray[np.uint8] | None] = [*others[:4], None, None, None, None][:4]
    crops = [*around[:2], song.title if song is not None else None, *around[2:]]
    for (x1, y1, x2, y2), crop in zip(list_cards(state), crops, strict=True):
        if crop is None:
            continue
        h = min(y2 - y1 - 8, H)
        w = round(W * h / H)
        small = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
        x, y = x1 + (x2 - x1 - w) // 2, y1 + (y2 - y1 - h) // 2
        img[y : y + h, x : x + w] = small[:, :, None]


# -- songs, levels, counts, toggles, popups ---------------------------------------------


@lru_cache(maxsize=8)
def _level_font(name: str | None) -> object:
    """The face levels are drawn in: the font file ``name``, else the first CJK sans face."""
    if name is not None:
        from PIL import ImageFont

        return ImageFont.truetype(str(font_file(name)), LEVEL_PX, index=0)
    from shared.title_render import system_fonts

    faces = system_fonts()
    face = next((f for f in faces if "Sans" in f.path), faces[0])
    return face.load(LEVEL_PX)


# The digits' left edge in the level row: inside the real ready page's level box
# (READY_LEVEL, solo; COOP_READY_LEVEL in a room), within the row's first DIGIT_COLUMNS.
LEVEL_X = READY_LEVEL[0] - TITLE_REGION[0] + 3
LEVEL_PX = 26
LEVEL_TOP = 14  # row of the digits' top in the 36-row strip


@lru_cache(maxsize=256)
def _level_alpha(level: int, font_name: str | None = None) -> npt.NDArray[np.float32]:
    """Coverage (0..1) of the level number, drawn in a plain sans font (or ``font_name``)
    in the first DIGIT_COLUMNS of a 36-row strip (what levels.read_level reads)."""
    from PIL import Image, ImageDraw, ImageFont

    font = _level_font(font_name)
    assert isinstance(font, ImageFont.FreeTypeFont)
    img = Image.new("L", (DIGIT_COLUMNS, H), 0)
    top = font.getbbox("0123456789")[1]  # the digits' top at the same row in any face
    right = font.getbbox(str(level))[2]
    x = min(LEVEL_X, DIGIT_COLUMNS - 3 - right)  # a wide face: the number stays in the row's digits part
    ImageDraw.Draw(img).text((x, LEVEL_TOP - top), str(level), fill=255, font=font)
    return np.asarray(img, np.float32) / 255.0


JACKETS = {"choose": (450, 180), "join_choose": (450, 180), "ready": (240, 110)}  # top-left corners
JACKET_SIZE = 200


def _draw_song(
    img: Frame,
    state: str,
    song: SongCard,
    region: tuple[int, int, int, int],
    full_row: bool,
    jacket: bool = True,
) -> None:
    x1, y1, x2, y2 = region
    img[y1:y2, x1:x2] = song.title[:, :, None]
    bg = float(np.median(song.title))
    fg = 40.0
    # The level row: the title panel's light background, the digits in its first columns.
    row_w = (x2 - x1) if full_row else 96
    ly1, ly2 = y1 + LEVEL_OFFSET_Y, y2 + LEVEL_OFFSET_Y
    a = _level_alpha(song.level, song.level_font)
    row = np.full((H, row_w), bg, np.float32)
    row[:, :DIGIT_COLUMNS] = bg * (1 - a) + fg * a
    img[ly1:ly2, x1 : x1 + row_w] = np.round(row).astype(np.uint8)[:, :, None]
    if full_row and state != "ready":  # the ready page shows a badge instead (_draw_badge)
        name = layout.DIFFICULTY_NAMES[song.difficulty].upper()
        text(img, name, (x1 + 90, ly2 - 10), 0.7, DIFFICULTY_BGR[name.lower()], 2)
    if not jacket:
        return
    # Seeded by the title picture: identical titles share a jacket, so twins differ only
    # by their levels.
    hue = int(hashlib.sha256(song.title.tobytes()).digest()[0]) * 180 // 256
    jacket = cv2.cvtColor(np.array([[[hue, 150, 220]]], np.uint8), cv2.COLOR_HSV2BGR)[0, 0]
    jx, jy = JACKETS[state]
    img[jy : jy + JACKET_SIZE, jx : jx + JACKET_SIZE] = jacket


def _draw_badge(img: Frame, difficulty: str) -> None:
    """The solo ready page's difficulty badge at READY_BADGE."""
    from PIL import Image, ImageDraw

    x1, y1, x2, y2 = READY_BADGE
    pil = Image.fromarray(cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2RGB))
    draw_badge(ImageDraw.Draw(pil), (0, 0, x2 - x1, y2 - y1), difficulty)
    img[y1:y2, x1:x2] = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)


def _draw_levels_on_buttons(img: Frame, view: ScreenView, song: SongCard) -> None:
    for b in buttons(view):
        if b.name.startswith("difficulty_") and b.when == "fixed":
            i = layout.DIFFICULTY_NAMES.index(b.name.removeprefix("difficulty_"))
            if i in song.levels:
                text(img, str(song.levels[i]), (b.x, b.y + 36), 0.6, (40, 30, 30), 2, centre=True)
            if i == song.difficulty:
                x1, y1, x2, y2 = b.box
                cv2.rectangle(img, (x1 - 3, y1 - 3), (x2 + 3, y2 + 3), (255, 255, 255), 2)


_DIGIT_TEMPLATES: dict[str, npt.NDArray[np.uint8]] = {}


def _digit_cell(ch: str) -> npt.NDArray[np.uint8]:
    """A DIGIT_H x DIGIT_W cell with one digit (or nothing for " "), dark on white."""
    cell = _DIGIT_TEMPLATES.get(ch)
    if cell is None:
        cell = np.full((DIGIT_H, DIGIT_W, 3), 250, np.uint8)
        if ch != " ":
            text(cell, ch, (DIGIT_W // 2, DIGIT_H // 2), 0.9, (20, 20, 20), 2, centre=True)
        cell.setflags(write=False)
        _DIGIT_TEMPLATES[ch] = cell
    return cell


def _draw_number(img: Frame, box: tuple[int, int, int, int], value: int) -> None:
    x1, y1, x2, _ = box
    cells = (x2 - x1) // DIGIT_W
    s = str(max(0, value))
    if len(s) > cells:
        raise ValueError(f"{value} does not fit {cells} digits")
    for i, ch in enumerate(s.rjust(cells)):
        img[y1 : y1 + DIGIT_H, x1 + i * DIGIT_W : x1 + (i + 1) * DIGIT_W] = _digit_cell(ch)


def draw_popup(img: Frame, message: str) -> None:
    """A modal with ``message`` over ``img`` (in place): the screen dimmed, a dialog."""
    dim(img, 0.5)
    box = (340, 220, 940, 500)
    panel(img, box, (250, 250, 250), BUTTON_EDGE, 3)
    panel(img, (box[0], box[1], box[2], box[1] + 56), (60, 60, 200))
    text(img, "NOTICE", (640, box[1] + 28), 1.0, (255, 255, 255), 2, centre=True, font=FONT_BOLD)
    words, line, lines = message.split(), "", []
    for w in words:
        if len(line) + len(w) + 1 > 34 and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    for i, s in enumerate(lines[:4]):
        text(img, s, (640, box[1] + 110 + 40 * i), 0.8, (40, 40, 40), 2, centre=True)


def render(view: ScreenView) -> Frame:
    """The frame of ``view``: 720x1280x3 uint8 BGR."""
    if view.state == "playing":
        img = render_playfield(view.notes, health=view.health, combo=view.combo, started=view.started)
    else:
        img = screen_frame(view.state, frozenset(view.variants)).copy()
    if view.song is not None and view.state in ("choose", "join_choose", "ready"):
        multi = view.state == "ready" and view.multiplayer
        region = MULTI_TITLE_REGION if multi else TITLE_REGION
        # On ready with the difficulty picked here, the pick buttons sit to the right of
        # the level digits: draw only the digits' part of the row.
        full_row = not (view.state == "ready" and "pick" in view.variants)
        _draw_song(img, view.state, view.song, region, full_row)
        if view.state == "ready" and not multi:
            _draw_badge(img, DIFFICULTIES[view.song.difficulty])
        if view.state == "ready":
            for card, where in zip(view.medley, MEDLEY_TITLE_REGIONS, strict=False):
                _draw_song(img, view.state, card, where, full_row=True, jacket=False)
        if view.state != "ready":
            _draw_levels_on_buttons(img, view, view.song)
    if view.state in ("choose", "join_choose") and (view.song is not None or view.list_titles):
        _draw_list(img, view.state, view.song, view.list_titles)
    if view.state == "award" and view.result is not None:
        draw_result_card(img, view.result.card())
    if view.state == "award_score" and view.result is not None:
        _draw_number(img, SCORE_FIELD, view.result.score)
    if view.state == "ready":
        draw_ready_controls(img, view.live_mode, view.cut_in)
    if view.state == "story_choose" and view.story_unread:
        cv2.circle(img, STORY_UNREAD_PIXEL, 10, STORY_UNREAD, -1, cv2.LINE_8)
    if view.caption:
        text(img, view.caption, (20, 706), 0.55, (255, 255, 255), 1)
    if view.popup is not None:
        draw_popup(img, view.popup)
    return img


def backdrop(state: str) -> Frame:
    """``state``'s screen without buttons, song or counts (what tests compare buttons with)."""
    if state not in LOOKS:
        raise ValueError(f"unknown screen state {state!r}")
    return backdrop_frame(state).copy()


# -- random instances for datasets -----------------------------------------------------------


@lru_cache(maxsize=1)
def _songs() -> tuple[tuple[int, str, tuple[tuple[int, int], ...]], ...]:
    from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all

    songs = load_songs_all(SHIPPED_SONGS_ALL)
    return tuple((s.id, s.title, tuple(sorted(s.levels.items()))) for s in songs.values() if s.levels)


def sample_song(rng: np.random.Generator) -> SongCard:
    """A random song of the shipped catalog with its rendered title and a random difficulty."""
    from services.simulator.titles import _rendered

    song_id, title, levels = _songs()[int(rng.integers(len(_songs())))]
    lv = dict(levels)
    return SongCard(song_id, _rendered(title), lv, int(rng.choice(sorted(lv))))


def sample_result(rng: np.random.Generator) -> ResultCounts:
    n = int(rng.integers(100, 1500))
    miss, bad, good = (int(v) for v in rng.integers(0, [30, 20, 30]))
    great = int(rng.integers(0, max(1, n // 5)))
    perfect = max(0, n - great - good - bad - miss)
    fast = int(rng.integers(0, great + good + 1))
    _, title, levels = _songs()[int(rng.integers(len(_songs())))]
    difficulty, level = levels[int(rng.integers(len(levels)))]
    return ResultCounts(
        perfect, great, good, bad, miss, fast, int(rng.integers(0, great + good + 1)),
        combo=int(rng.integers(0, n + 1)), score=int(rng.integers(100000, 3000000)),
        difficulty=DIFFICULTIES[difficulty], level=level, title=shown_title(title),
        coop=bool(rng.integers(0, 4) == 0),
    )  # fmt: skip


def _sample_notes(rng: np.random.Generator) -> list[NoteSprite]:
    notes = []
    for _ in range(int(rng.integers(0, 9))):
        kind = str(rng.choice(["tap", "tap", "long", "flick", "skill", "directional"]))
        y = y_of_depth(float(rng.uniform(0.05, 1.0)))
        x = float(LANE_X[int(rng.integers(7))])
        if kind == "directional":
            notes.append(
                NoteSprite(kind, x, y, float(rng.integers(1, 4)), str(rng.choice(["Left", "Right"])))
            )
        elif kind == "long":
            notes.append(NoteSprite(kind, x, y, tail_y=y - float(rng.uniform(30, 300))))
        else:
            notes.append(NoteSprite(kind, x, y))
    return notes


_CAPTIONS = ("", "", "", "Event: Tour", "Free Live", "Room 204", "Stage 3")


def sample_screen(state: str, rng: np.random.Generator) -> Frame:
    """A random plausible instance of ``state`` (random variants, song, counts, toggles,
    notes) for datasets; no popups (a popup is a fault, not a state)."""
    if state not in LOOKS:
        raise ValueError(f"unknown screen state {state!r}")
    if state == "playing":
        return render_playfield(
            _sample_notes(rng),
            health=float(rng.uniform(0.1, 1.0)),
            combo=int(rng.integers(0, 400)),
            started=bool(rng.random() < 0.85),
        )
    options = VARIANT_SETS.get(state, (frozenset(),))
    variants = options[int(rng.integers(len(options)))]
    song = sample_song(rng) if state in ("choose", "join_choose", "ready") else None
    medley: tuple[SongCard, ...] = ()
    if song is not None and state == "ready" and "medley" in variants:
        # Its own generator, seeded by the first song: the dataset's other draws stay as they were.
        other = np.random.default_rng(song.song_id)
        medley = (sample_song(other), sample_song(other))
    mode_draw, cut_in_draw = rng.random(), rng.random()  # two draws, as the two toggles took
    view = ScreenView(
        state,
        variants,
        song=song,
        multiplayer=bool(rng.random() < 0.4),
        result=sample_result(rng) if state in ("award", "award_score") else None,
        live_mode=LIVE_MODES[int(mode_draw * len(LIVE_MODES))],
        cut_in=bool(cut_in_draw < 0.5),
        story_unread=bool(rng.random() < 0.5),
        caption=str(rng.choice(_CAPTIONS)),
        list_titles=tuple(sample_song(rng).title for _ in range(4)) if song and rng.random() < 0.7 else (),
        medley=medley,
    )
    return render(view)


_UNKNOWN_NAMES = ("GACHA", "MEMBERS", "SETTINGS", "EVENT NEWS", "LOGIN BONUS", "AREA", "PROFILE", "MISSIONS")


def sample_unknown(rng: np.random.Generator) -> Frame:
    """A screen that is none of the 34: other menus of the game, a home screen of the
    emulator, a nearly blank transition frame, random shapes."""
    kind = int(rng.integers(4))
    c1 = tuple(int(v) for v in rng.integers(0, 256, 3))
    c2 = tuple(int(v) for v in rng.integers(0, 256, 3))
    img = gradient((c1[0], c1[1], c1[2]), (c2[0], c2[1], c2[2]))
    if kind == 0:  # another menu of the game: header, a grid of cards
        name = str(rng.choice(_UNKNOWN_NAMES))
        panel(
            img, (0, 0, WIDTH, 64), (int(rng.integers(256)), int(rng.integers(256)), int(rng.integers(256)))
        )
        text(img, name, (90, 46), 1.1, (255, 255, 255), 2, font=FONT_BOLD)
        cols, rows = int(rng.integers(2, 6)), int(rng.integers(1, 4))
        for i in range(cols):
            for k in range(rows):
                x, y = 60 + i * (1160 // cols), 100 + k * (600 // rows)
                colour = tuple(int(v) for v in rng.integers(0, 256, 3))
                panel(
                    img,
                    (x, y, x + 1160 // cols - 30, y + 600 // rows - 30),
                    (colour[0], colour[1], colour[2]),
                )
    elif kind == 1:  # the emulator's home screen: wallpaper and a grid of app icons
        for i in range(8):
            for k in range(3):
                cx, cy = 120 + 150 * i, 180 + 170 * k
                colour = tuple(int(v) for v in rng.integers(0, 256, 3))
                cv2.circle(img, (cx, cy), 44, (colour[0], colour[1], colour[2]), -1)
                text(img, "app", (cx, cy + 70), 0.5, (255, 255, 255), 1, centre=True)
        panel(img, (0, 0, WIDTH, 30), (20, 20, 20))
    elif kind == 2:  # a nearly blank frame (a transition)
        img[:] = np.asarray(c1, np.uint8)
        if rng.random() < 0.5:
            text(img, str(rng.choice(_UNKNOWN_NAMES)), (640, 360), 1.2, (255, 255, 255), 2, centre=True)
    else:  # random shapes
        for _ in range(int(rng.integers(5, 30))):
            x, y = int(rng.integers(WIDTH)), int(rng.integers(HEIGHT))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            r = int(rng.integers(10, 200))
            cv2.circle(img, (x, y), r, (colour[0], colour[1], colour[2]), -1)
    return img


__all__ = [
    "BUTTON_EDGE",
    "DIGIT_COLUMNS",
    "MULTI_TITLE_REGION",
    "RESULT_FIELDS",
    "SCORE_FIELD",
    "STORY_UNREAD",
    "STORY_UNREAD_PIXEL",
    "TITLE_REGION",
    "VARIANT_SETS",
    "ResultCounts",
    "ScreenView",
    "SongCard",
    "backdrop",
    "buttons",
    "draw_popup",
    "list_cards",
    "render",
    "sample_result",
    "sample_screen",
    "sample_song",
    "sample_unknown",
]
