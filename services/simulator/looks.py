"""What each of the simulated game's 34 screens looks like without its song, counts or
toggles: colours, header, text, panels, and the buttons of the screen catalogue (``layout.py``) drawn on their
boxes; plus the fixed places other parts read (title regions, result fields, toggle and
marker pixels). ``screens.render`` copies these cached frames and pastes the rest.

States the game draws alike (choose / join_choose, the award_* family, the story_* family,
loading / join_loading) still differ by header, text and panels, as in the game; dialog
states are modals over their parent screen, dimmed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from services.simulator import layout
from services.simulator.draw import BGR, FONT_BOLD, Frame, dim, fit_scale, gradient, panel, text
from services.simulator.field import render_playfield
from shared.catalogue.regions import LEVEL_OFFSET_Y, TITLE_REGIONS
from shared.playfield import WIDTH

TITLE_REGION = TITLE_REGIONS[0]  # song select, and ready with the difficulty fixed
MULTI_TITLE_REGION = TITLE_REGIONS[1]  # multiplayer ready
DIGIT_COLUMNS = 64  # the level row's digits sit in its first 64 columns

# -- fixed places other parts read --------------------------------------------------------

DIGIT_W, DIGIT_H = 24, 40  # one cell of a number on award_score
SCORE_FIELD = (240, 168, 240 + 8 * DIGIT_W, 208)  # award_score: the score
READY_CONTROLS = ("live_mode", "cut_in")  # drawn per view (ready_controls.py), not cached
STORY_UNREAD_PIXEL = (1172, 600)  # story_choose: the red "new" dot by the read button
STORY_UNREAD: BGR = (40, 40, 230)

BUTTON_EDGE: BGR = (40, 24, 24)  # every button's outline lies on its layout box


# -- what each state looks like ----------------------------------------------------------


@dataclass(frozen=True)
class Look:
    top: BGR  # background gradient
    bottom: BGR
    header: str  # "" = no header band
    band: BGR  # header band colour
    lines: tuple[str, ...] = ()  # body text (in the dialog for modals)
    parent: str = ""  # modal: drawn over this state's backdrop
    dialog: BGR = (245, 245, 245)
    panels: tuple[tuple[int, int, int, int, BGR], ...] = ()  # decorative boxes
    box: tuple[int, int, int, int] = (300, 150, 980, 690)  # modal: the dialog box


_NIGHT = ((90, 40, 20), (160, 90, 40))
_LAVENDER = ((235, 205, 220), (200, 160, 190))
_SKY = ((250, 215, 160), (230, 170, 110))

LOOKS: dict[str, Look] = {
    "award": Look(*_NIGHT, "LIVE RESULT", (200, 120, 60), panels=((40, 110, 640, 610, (70, 40, 30)),)),
    "award_score": Look(
        *_NIGHT,
        "SCORE REWARD",
        (60, 150, 220),
        ("BAND RANK", "Experience +1200"),
        panels=(
            (60, 300, 1220, 360, (40, 40, 40)),
            (60, 300, 900, 360, (60, 200, 250)),
            (60, 400, 600, 560, (80, 60, 50)),
        ),
    ),
    "award_again": Look(
        *_NIGHT, "PLAY AGAIN", (200, 120, 60), ("Play the same song again?",), parent="award"
    ),
    "award_back": Look(
        *_NIGHT,
        "CONTINUE",
        (200, 120, 60),
        ("Return to song select?", "or finish here"),
        parent="award_score",
    ),
    "award_dialog": Look(
        *_NIGHT,
        "REWARDS",
        (60, 150, 220),
        ("You received items",),
        parent="award_score",
        dialog=(220, 240, 250),
        panels=(
            (440, 300, 520, 380, (60, 200, 250)),
            (560, 300, 640, 380, (200, 120, 250)),
            (680, 300, 760, 380, (120, 220, 120)),
        ),
    ),
    "award_loading": Look(
        (60, 20, 40),
        (120, 40, 80),
        "",
        (0, 0, 0),
        ("TAP TO CONTINUE",),
        panels=(
            (420, 250, 560, 390, (40, 200, 250)),
            (580, 250, 720, 390, (40, 200, 250)),
            (740, 250, 880, 390, (40, 200, 250)),
        ),
    ),
    "choose": Look(
        *_LAVENDER,
        "SONG SELECT",
        (180, 90, 230),
        panels=((700, 90, 1240, 480, (250, 240, 245)), (440, 170, 660, 390, (200, 200, 200))),
    ),
    "join_choose": Look(
        *_LAVENDER,
        "ROOM SONG SELECT",
        (120, 170, 60),
        ("TIME LEFT",),
        panels=(
            (700, 170, 1240, 480, (245, 250, 240)),
            (440, 170, 660, 390, (200, 200, 200)),
            (700, 90, 1240, 150, (90, 140, 40)),
        ),
    ),
    "choose_dialog": Look(
        *_LAVENDER,
        "SORT / FILTER",
        (180, 90, 230),
        ("Choose how songs are listed",),
        parent="choose",
        box=(520, 120, 1240, 700),
    ),
    "compete": Look(
        (40, 40, 140),
        (60, 90, 220),
        "BAND BATTLE",
        (30, 30, 200),
        ("5 bands compete for the top score",),
        panels=tuple((90 + 180 * i, 250, 250 + 180 * i, 450, (230, 230, 250)) for i in range(5)),
    ),
    "join": Look(
        (120, 110, 20),
        (200, 180, 60),
        "MULTI LIVE",
        (140, 120, 10),
        ("Join a room",),
        panels=tuple((120, 140 + 90 * i, 860, 210 + 90 * i, (250, 245, 230)) for i in range(5)),
    ),
    "download": Look(
        *_SKY,
        "DOWNLOAD",
        (200, 140, 60),
        ("Additional data is required.", "Download now? (123.4 MB)"),
        parent="main_page",
    ),
    "failed": Look(
        (20, 10, 60),
        (40, 20, 120),
        "LIVE FAILED",
        (30, 20, 150),
        ("Your band ran out of life",),
        panels=((700, 200, 1100, 500, (60, 40, 110)),),
    ),
    "failed_again": Look(
        (20, 10, 60), (40, 20, 120), "RETRY", (30, 20, 150), ("Try this song again?",), parent="failed"
    ),
    "join_loading": Look(
        (12, 12, 12),
        (30, 30, 30),
        "",
        (0, 0, 0),
        ("MATCHING...",),
        panels=tuple((180 + 190 * i, 300, 340 + 190 * i, 460, (90, 150, 60)) for i in range(5)),
    ),
    "join_wait": Look(
        (120, 110, 20),
        (200, 180, 60),
        "ROOM",
        (60, 170, 120),
        ("Waiting for the other players",),
        panels=tuple((90 + 225 * i, 180, 290 + 225 * i, 470, (250, 250, 250)) for i in range(5)),
    ),
    "loading": Look(
        (10, 10, 10),
        (10, 10, 10),
        "",
        (0, 0, 0),
        ("NOW LOADING",),
        panels=((240, 220, 1040, 420, (70, 70, 70)),),
    ),
    "main_page": Look(
        *_SKY,
        "",
        (0, 0, 0),
        panels=(
            (0, 0, 1280, 70, (120, 60, 30)),
            (0, 590, 1280, 720, (150, 90, 60)),
            (500, 140, 780, 590, (210, 200, 240)),
        ),
    ),
    "opps": Look(
        (60, 60, 60),
        (90, 90, 90),
        "ERROR",
        (40, 40, 180),
        ("A communication error occurred.",),
        parent="opps",
        box=(340, 200, 940, 540),
    ),
    "opps_reconnect": Look(
        (90, 60, 40),
        (150, 110, 70),
        "CONNECTION LOST",
        (40, 140, 230),
        ("Reconnect to the server?",),
        parent="opps_reconnect",
        dialog=(235, 245, 250),
        panels=((420, 330, 500, 410, (40, 140, 230)), (420, 330, 500, 350, (90, 60, 40))),
    ),
    "playmode": Look(
        (60, 150, 240),
        (40, 100, 200),
        "LIVE",
        (30, 80, 180),
        panels=((40, 120, 560, 640, (90, 190, 250)),),
    ),
    "ready": Look(
        (210, 240, 220),
        (150, 200, 170),
        "LIVE SETTINGS",
        (100, 160, 60),
        panels=((240, 110, 440, 310, (200, 200, 200)), (700, 110, 1240, 460, (240, 250, 240))),
    ),
    "ready_adjust": Look(
        (210, 240, 220),
        (150, 200, 170),
        "TIMING",
        (100, 160, 60),
        ("Adjust the timing offset?",),
        parent="ready",
    ),
    "ready_done": Look(
        (210, 240, 220),
        (150, 200, 170),
        "LIVE SETTINGS",
        (100, 160, 60),
        ("READY!",),
        panels=((0, 300, 1280, 420, (60, 60, 200)),),
    ),
    "shop_dialog": Look(
        *_SKY,
        "SPECIAL OFFER",
        (60, 120, 230),
        ("Star packs on sale today",),
        parent="main_page",
        dialog=(220, 245, 255),
    ),
    "stage": Look(
        (80, 90, 30),
        (140, 160, 60),
        "STAGE CHALLENGE",
        (60, 70, 20),
        ("Clear the stages in order",),
        panels=tuple(
            (140 + 200 * i, 260 - 30 * (i % 2), 300 + 200 * i, 400 - 30 * (i % 2), (120, 220, 200))
            for i in range(5)
        ),
    ),
    "stage_choose": Look(
        (80, 90, 30),
        (140, 160, 60),
        "CHOOSE STAGE",
        (60, 70, 20),
        panels=tuple((120 + 350 * i, 160, 420 + 350 * i, 520, (240, 250, 240)) for i in range(3)),
    ),
    "story": Look(
        (200, 230, 240),
        (140, 190, 210),
        "",
        (0, 0, 0),
        panels=(
            (500, 110, 780, 520, (190, 180, 230)),
            (40, 520, 1240, 700, (250, 250, 250)),
            (60, 490, 300, 540, (180, 110, 230)),
        ),
    ),
    "story_choose": Look(
        (230, 220, 250),
        (200, 180, 230),
        "STORY",
        (150, 90, 200),
        panels=tuple((80, 120 + 100 * i, 900, 200 + 100 * i, (250, 250, 250)) for i in range(4)),
    ),
    "story_dialog": Look(
        (230, 220, 250),
        (200, 180, 230),
        "NEW STORY",
        (150, 90, 200),
        ("A new episode has been unlocked",),
        parent="story_choose",
    ),
    "story_skip": Look(
        (200, 230, 240), (140, 190, 210), "SKIP", (150, 90, 200), ("Skip this story?",), parent="story"
    ),
    "tour": Look(
        (130, 60, 110), (200, 110, 170), "CHALLENGE TOUR", (110, 40, 90), ("Pick how to play the tour",)
    ),
    "tour_choose": Look(
        (130, 60, 110),
        (200, 110, 170),
        "TOUR MEDLEY",
        (110, 40, 90),
        ("Choose a medley set",),
        panels=tuple((100 + 360 * i, 180, 400 + 360 * i, 560, (250, 235, 245)) for i in range(3)),
    ),
    "playing": Look((0, 0, 0), (0, 0, 0), "", (0, 0, 0)),
}

_PRIMARY = {
    "ok",
    "confirm",
    "start",
    "enter",
    "live",
    "again",
    "go_on",
    "read",
    "reconnect",
    "close",
    "stage_confirm",
}
DIFFICULTY_BGR: dict[str, BGR] = {
    "easy": (230, 150, 60),
    "normal": (80, 190, 80),
    "hard": (40, 190, 240),
    "expert": (60, 60, 230),
    "special": (200, 80, 230),
}
_TILE_BGR: dict[str, BGR] = {
    "free": (60, 180, 250),
    "collaborate": (250, 150, 90),
    "stage": (120, 200, 90),
    "event": (200, 90, 220),
    "lobby": (230, 140, 240),
    "solo": (250, 200, 120),
}
_LABELS = {"go_on": "CONTINUE", "give_up": "GIVE UP", "list_up": "UP", "list_down": "DOWN", "back": "<"}


def _button_look(b: layout.Button) -> tuple[BGR, str]:
    name = b.name
    for d, colour in DIFFICULTY_BGR.items():
        if name.endswith(d):
            return colour, d[:2].upper() if name.startswith("medley") else d.upper()
    if name in _TILE_BGR:
        return _TILE_BGR[name], name.upper()
    if name.startswith("option_"):
        return (250, 230, 240), f"OPTION {int(name[-1]) + 1}"
    label = _LABELS.get(name, name.replace("_", " ").upper())
    return ((150, 90, 255) if name in _PRIMARY else (245, 225, 205)), label


def _draw_button(img: Frame, b: layout.Button) -> None:
    """The button's face and label, then its outline exactly on the layout box."""
    if b.name in READY_CONTROLS:
        return  # drawn per view by ready_controls.py
    _draw_face(img, b)
    x1, y1, x2, y2 = b.box
    cv2.rectangle(img, (x1, y1), (x2, y2), BUTTON_EDGE, 2)


def _draw_face(img: Frame, b: layout.Button) -> None:
    x1, y1, x2, y2 = b.box
    fill, label = _button_look(b)
    if b.h < 20:  # a thin hit row (the error dialog's OK): draw the visible button around it
        panel(img, (x1, b.y - 22, x2, b.y + 22), fill)
    cv2.rectangle(img, (x1, y1), (x2, y2), fill, -1)
    if b.name in ("list_up", "list_down"):
        cx, cy, d = b.x, b.y, 1 if b.name == "list_down" else -1
        pts = np.array([[cx - 24, cy - 12 * d], [cx + 24, cy - 12 * d], [cx, cy + 14 * d]], np.int32)
        cv2.fillConvexPoly(img, pts, (120, 60, 60), cv2.LINE_AA)
        return
    if b.h < 20:
        y1, y2 = b.y - 22, b.y + 22
    lum = 0.114 * fill[0] + 0.587 * fill[1] + 0.299 * fill[2]
    colour: BGR = (40, 30, 30) if lum > 150 else (255, 255, 255)
    w, h = x2 - x1 - 8, min(y2 - y1 - 8, 40)
    if b.w >= 500 or b.h >= 500:  # the award_loading skip strip
        text(img, "<<", (b.x, b.y), 0.8, colour, 2, centre=True)
        return
    text(img, label, (b.x, b.y), fit_scale(label, w, h), colour, 2, centre=True)


def _header(img: Frame, look: Look) -> None:
    if not look.header:
        return
    panel(img, (0, 0, WIDTH, 64), look.band)
    text(img, look.header, (90, 46), 1.1, (255, 255, 255), 2, font=FONT_BOLD)


def _lines(img: Frame, lines: tuple[str, ...], x: int, y: int, colour: BGR, centre: bool = False) -> None:
    for i, s in enumerate(lines):
        text(img, s, (x, y + 44 * i), 0.9, colour, 2, centre=centre)


def _backdrop(state: str) -> Frame:
    """A writable copy of ``state``'s screen without its buttons, songs or counts."""
    return backdrop_frame(state).copy()


@lru_cache(maxsize=64)
def backdrop_frame(state: str) -> Frame:
    """``state``'s screen without buttons (cached, read-only)."""
    look = LOOKS[state]
    if state == "playing":
        img = render_playfield((), started=False)
        img.setflags(write=False)
        return img
    if look.parent and look.parent != state:
        img = _backdrop(look.parent)
        for b in layout.buttons(look.parent, frozenset()):
            _draw_button(img, b)
        dim(img)
    else:
        img = gradient(look.top, look.bottom)
    if look.parent:
        box = look.box
        panel(img, box, look.dialog, BUTTON_EDGE, 3)
        x1, y1, x2, _ = box
        panel(img, (x1, y1, x2, y1 + 60), look.band)
        text(
            img, look.header, ((x1 + x2) // 2, y1 + 30), 1.0, (255, 255, 255), 2, centre=True, font=FONT_BOLD
        )
        _lines(img, look.lines, (x1 + x2) // 2, y1 + 110, (50, 40, 40), centre=True)
        for px1, py1, px2, py2, colour in look.panels:
            panel(img, (px1, py1, px2, py2), colour, BUTTON_EDGE, 2)
    else:
        for px1, py1, px2, py2, colour in look.panels:
            panel(img, (px1, py1, px2, py2), colour)
        _header(img, look)
        _decorate(img, state, look)
    img.setflags(write=False)
    return img


def _decorate(img: Frame, state: str, look: Look) -> None:
    """State-specific text and shapes of full screens (modals are drawn by _backdrop)."""
    dark: BGR = (50, 40, 40)
    light: BGR = (255, 255, 255)
    if state == "award":
        pass  # the result card is drawn per result (result_card.py)
    elif state == "award_score":
        text(img, "SCORE", (80, 200), 1.0, light, 2)
        x1, y1, x2, y2 = SCORE_FIELD
        panel(img, (x1 - 4, y1, x2 + 4, y2), (250, 250, 250))
        text(img, "S", (1100, 220), 3.0, (60, 200, 250), 6, font=FONT_BOLD)
        _lines(img, look.lines, 90, 450, light)
    elif state == "award_loading":
        _lines(img, look.lines, 650, 520, light, centre=True)
    elif state in ("choose", "join_choose"):
        for i, box in enumerate(list_cards(state)):
            panel(img, box, (200, 120, 240) if i == 2 else (230, 210, 220))
        x1, y1, x2, y2 = TITLE_REGION
        panel(img, (x1, y1, x2, y2 + LEVEL_OFFSET_Y), (235, 235, 235))  # where the title goes
        if state == "join_choose":
            for i in range(5):
                cv2.circle(img, (760 + 110 * i, 120), 24, (240, 240, 240), -1)
            text(img, look.lines[0], (40, 110), 0.8, dark, 2)
    elif state == "compete":
        _lines(img, look.lines, 640, 150, light, centre=True)
        for i in range(5):
            cv2.circle(img, (170 + 180 * i, 330), 50, (60, 60, 200), -1)
    elif state == "join":
        _lines(img, look.lines, 900, 170, light)
        for i in range(5):
            text(img, f"ROOM {101 + 37 * i}", (150, 186 + 90 * i), 0.9, dark, 2)
    elif state == "failed":
        _lines(img, look.lines, 120, 250, light)
        cv2.circle(img, (900, 350), 100, (60, 60, 220), -1)
        cv2.line(img, (860, 260), (940, 440), (20, 10, 60), 12)
    elif state in ("join_loading", "loading"):
        if state == "loading":
            text(img, look.lines[0], (980, 680), 1.0, light, 2)
            text(img, "TIPS", (270, 270), 1.0, (200, 230, 250), 2)
            text(img, "Full combo every song for a bonus", (270, 340), 0.8, light, 2)
        else:
            text(img, look.lines[0], (640, 200), 1.4, light, 3, centre=True)
            for i in range(5):
                cv2.circle(img, (260 + 190 * i, 380), 40, (200, 230, 250), -1)
    elif state == "join_wait":
        _lines(img, look.lines, 640, 540, light, centre=True)
        for i in range(5):
            cv2.circle(img, (190 + 225 * i, 280), 60, (200, 200, 200), -1)
            text(img, "READY" if i < 2 else "...", (190 + 225 * i, 420), 0.8, dark, 2, centre=True)
    elif state == "main_page":
        text(img, "Lv.120", (30, 46), 1.0, light, 2)
        text(img, "STAR 12000", (880, 46), 0.9, light, 2)
        cv2.circle(img, (640, 230), 80, (200, 210, 250), -1)
        for i, name in enumerate(("HOME", "BAND", "GACHA", "SHOP")):
            text(img, name, (90 + 200 * i, 660), 0.8, light, 2)
    elif state == "playmode":
        text(img, "LIVE MODE", (120, 380), 1.6, light, 3, font=FONT_BOLD)
    elif state == "ready":
        text(img, "DIFFICULTY", (720, 160), 0.9, dark, 2)
        text(img, "SKILL  BAND  TEAM", (720, 260), 0.8, dark, 2)
    elif state == "ready_done":
        text(img, look.lines[0], (640, 360), 2.0, light, 4, centre=True, font=FONT_BOLD)
        text(img, "Waiting for the live to start", (640, 460), 0.9, (60, 60, 60), 2, centre=True)
    elif state == "stage":
        _lines(img, look.lines, 140, 140, light)
        for i in range(5):
            text(img, f"{i + 1}", (220 + 200 * i, 345 - 30 * (i % 2)), 1.5, dark, 3, centre=True)
    elif state == "stage_choose":
        for i in range(3):
            text(img, f"STAGE {i + 1}", (270 + 350 * i, 340), 1.0, dark, 2, centre=True)
    elif state == "story":
        text(img, "Kasumi", (80, 525), 0.9, light, 2)
        text(img, "Let's play together on the stage!", (80, 600), 1.0, dark, 2)
        cv2.circle(img, (640, 200), 70, (200, 190, 240), -1)
    elif state == "story_choose":
        for i in range(4):
            text(img, f"EPISODE {i + 1}", (110, 170 + 100 * i), 0.9, dark, 2)
    elif state == "tour":
        _lines(img, look.lines, 640, 200, light, centre=True)
    elif state == "tour_choose":
        _lines(img, look.lines, 640, 130, light, centre=True)
        for i in range(3):
            for k in range(3):
                panel(img, (130 + 360 * i, 210 + 110 * k, 370 + 360 * i, 290 + 110 * k), (200, 150, 200))


def list_cards(state: str) -> tuple[tuple[int, int, int, int], ...]:
    """The song list's five cards on song select (the middle one is the selected song)."""
    top = 170 if state == "join_choose" else 90
    step = (480 - top) // 5
    return tuple((720, top + 14 + i * step, 1220, top + 14 + i * step + step - 20) for i in range(5))


# 2.7 MB a frame: the 34 states and the variant sets the game shows are ~70 entries.
@lru_cache(maxsize=128)
def screen_frame(state: str, variants: frozenset[str]) -> Frame:
    """Backdrop plus the buttons of the given variants (cached, read-only)."""
    img = _backdrop(state)
    for b in layout.buttons(state, variants):
        _draw_button(img, b)
    img.setflags(write=False)
    return img
