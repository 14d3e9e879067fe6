"""Where the simulated game's buttons are, per screen state: the coordinates of
docs/scriptor-and-play.md section 1 (1280x720 landscape). The screens draw them
(``screens.py``) and the game logic reacts to taps inside them (``game.py``); a tap
anywhere else does nothing, as in the game.

Some buttons exist only in some variants of a screen (``when``): the play-mode screen
shows the event button where the current event puts it, song select in Stage has its own
list arrows, a dialog has its one real button in one of the rows the first version tapped.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.screen_facts import CUT_IN_BUTTON, MODE_BUTTON

BACK = (32, 32)  # the on-screen back arrow


@dataclass(frozen=True)
class Button:
    name: str
    x: int  # centre
    y: int
    w: int = 120  # full width and height of the hit box
    h: int = 56
    when: str = ""  # variant this button belongs to ("" = always there)

    def hit(self, x: float, y: float) -> bool:
        return abs(x - self.x) <= self.w / 2 and abs(y - self.y) <= self.h / 2

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x - self.w // 2, self.y - self.h // 2, self.x + self.w // 2, self.y + self.h // 2)


def _back() -> Button:
    return Button("back", *BACK, w=48, h=48)


DIFFICULTY_NAMES = ("easy", "normal", "hard", "expert", "special")


def _song_select() -> tuple[Button, ...]:
    diff = tuple(
        Button(f"difficulty_{n}", 715 + 115 * i, 540, w=80, h=44, when="fixed")
        for i, n in enumerate(DIFFICULTY_NAMES)
    )
    return (
        _back(),
        Button("list_up", 380, 270, w=90, h=60, when="normal"),
        Button("list_down", 380, 420, w=90, h=60, when="normal"),
        Button("list_up", 160, 150, w=90, h=60, when="stage"),
        Button("list_down", 160, 310, w=90, h=60, when="stage"),
        # Narrow enough not to overlap the difficulty buttons beside it (715, 830).
        Button("random", 780, 540, w=50, h=44, when="normal"),
        Button("random", 680, 650, w=100, h=44, when="free"),
        Button("no", 780, 610, w=100, h=40),
        *diff,
        Button("confirm", 1080, 620, w=200, h=60),
    )


BUTTONS: dict[str, tuple[Button, ...]] = {
    "award": (Button("ok", 1080, 640, w=200),),
    "award_score": (Button("ok", 1080, 640, w=200),),
    "award_again": (Button("again", 800, 640, w=200),),
    # 100 px apart: boxes narrow enough not to overlap.
    "award_back": (Button("go_on", 760, 440, w=120), Button("finish", 660, 440, w=80, when="finish")),
    # One real button per dialog, in one of the rows the first version taps.
    "award_dialog": tuple(
        Button("ok", 640, y, w=240, h=50, when=f"row{i}") for i, y in enumerate((640, 580, 520))
    ),
    "award_loading": (Button("skip", 30, 360, w=60, h=720),),
    "choose": _song_select(),
    "join_choose": _song_select(),
    "choose_dialog": (
        *(Button(f"option_{i}", 876, y, w=300, h=60) for i, y in enumerate((208, 284, 356, 430))),
        Button("confirm", 780, 640, w=200),
    ),
    "compete": (_back(), Button("enter", 1080, 640, w=200)),
    "join": (_back(), Button("enter", 1080, 640, w=200)),
    "download": (Button("ok", 760, 580, w=200),),
    "failed": (Button("give_up", 380, 450, w=200),),
    "failed_again": (Button("ok", 780, 450, w=200),),
    "main_page": (Button("live", 1120, 640, w=180, h=80),),
    # The error dialog's OK sits at one of the heights the first version tapped.
    "opps": tuple(
        Button("ok", 640, y, w=240, h=8, when=f"row{i}") for i, y in enumerate((420, 430, 440, 470, 480, 500))
    ),
    "opps_reconnect": (Button("reconnect", 780, 500, w=200),),
    "ready_adjust": (Button("ok", 780, 500, w=200),),
    "playmode": (
        _back(),
        Button("free", 800, 480, w=220, h=100),
        Button("collaborate", 1080, 480, w=220, h=100),
        Button("stage", 920, 600, w=220, h=80),
        Button("event", 800, 240, w=220, h=100, when="event_left"),  # Challenge, Tour
        Button("event", 1080, 240, w=220, h=100, when="event_right"),  # Compete, Team
    ),
    "ready": (
        _back(),
        Button("start", 1120, 600, w=200, h=80),
        *(
            Button(f"difficulty_{n}", 600 + 85 * i, 580, w=76, h=40, when="pick")
            for i, n in enumerate(DIFFICULTY_NAMES[:4])
        ),
        Button("special", 860, 580, w=76, h=40, when="pick"),
        # The live-mode button cycles 3D -> MV -> OFF; the cut-in checkbox acts only while
        # the mode is OFF (ready_controls.py draws both; shared.screen_facts places them).
        Button("live_mode", *MODE_BUTTON, w=60, h=60),
        Button("cut_in", *CUT_IN_BUTTON, w=40, h=40),
        Button("stage_option", 210, 390, w=120, h=60, when="stage"),
        Button("stage_confirm", 640, 520, w=200, h=60, when="stage"),
        *(
            Button(f"medley_{k}_{n}", 64 + 80 * i + 408 * k, 370, w=70, h=40, when="medley")
            for k in range(3)
            for i, n in enumerate(DIFFICULTY_NAMES[:4])
        ),
        # Special right of Expert, where the first version tapped it (64 + 80 * 4 + 408k).
        *(Button(f"medley_{k}_special", 384 + 408 * k, 370, w=70, h=40, when="medley") for k in range(3)),
    ),
    "shop_dialog": (Button("close", 760, 640, w=200),),
    "stage": (_back(), Button("ok", 1080, 640, w=200)),
    "stage_choose": (_back(), Button("ok", 1080, 640, w=200)),
    "tour_choose": (_back(), Button("ok", 1080, 640, w=200)),
    "story": (Button("menu", 1200, 60, w=100, h=60), Button("skip", 580, 60, w=120, h=60)),
    "story_choose": (_back(), Button("read", 1080, 640, w=200)),
    "story_dialog": (Button("ok", 640, 580, w=200),),
    "story_skip": (Button("skip", 770, 450, w=200),),
    "tour": (_back(), Button("lobby", 440, 450, w=240, h=100), Button("solo", 840, 450, w=240, h=100)),
    # Waiting screens: nothing to press.
    "join_loading": (),
    "join_wait": (),
    "loading": (),
    "playing": (),
    "ready_done": (),
}


def buttons(state: str, variants: frozenset[str] = frozenset()) -> tuple[Button, ...]:
    """The buttons shown on ``state`` in the given variants (buttons without ``when`` are
    always there)."""
    return tuple(b for b in BUTTONS[state] if not b.when or b.when in variants)


def hit(state: str, x: float, y: float, variants: frozenset[str] = frozenset()) -> Button | None:
    """The button a tap at (x, y) presses, or None (a tap that does nothing). Where hit
    boxes overlap (random next to a difficulty on song select) the nearest centre wins."""
    hits = [b for b in buttons(state, variants) if b.hit(x, y)]
    return min(hits, key=lambda b: (b.x - x) ** 2 + (b.y - y) ** 2) if hits else None
