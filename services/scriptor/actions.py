"""What the scriptor does on each screen state, as data (docs/scriptor-and-play.md
section 1): most states are a fixed sequence of button presses, the waiting screens are
waits, and a few states need logic (``Flow``: song select, ready, play mode, lobby, tour,
story choice, award back). The loop looks an action up here; flows are functions in
``flows.py``. Buttons are named: their tap points come from the screen catalogue
(``shared.catalogue``) only.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.catalogue import button
from shared.screens import UI_STATES


@dataclass(frozen=True)
class Tap:
    x: int
    y: int
    pause_s: float = 0.0  # wait after this tap before the next one
    button: str = ""  # "state.name[@when]" of the catalogue button it presses


def press(state: str, name: str, when: str = "", pause_s: float = 0.0) -> Tap:
    """A tap on the catalogue's button ``name`` of ``state`` (in variant ``when``)."""
    x, y = button(state, name, when).tap_point
    return Tap(x, y, pause_s, f"{state}.{name}" + (f"@{when}" if when else ""))


@dataclass(frozen=True)
class Taps:
    """A fixed sequence of taps."""

    taps: tuple[Tap, ...]


@dataclass(frozen=True)
class Wait:
    """Nothing to press: the game moves on by itself (loading, waiting rooms, the song)."""


@dataclass(frozen=True)
class Flow:
    """A state whose taps depend on the config or the frame (``flows.FLOWS[name]``)."""

    name: str


Action = Taps | Wait | Flow


def presses(state: str, *names: str, pause_s: float = 0.0) -> Taps:
    """Presses of ``state``'s buttons in order; ``"name@when"`` picks a variant's button."""
    out = []
    for n in names:
        name, _, when = n.partition("@")
        out.append(press(state, name, when, pause_s))
    return Taps(tuple(out))


WAIT = Wait()

ACTIONS: dict[str, Action] = {
    "award": presses("award", "ok"),
    "award_score": presses("award_score", "ok"),
    "award_again": presses("award_again", "again"),
    "award_back": Flow("award_back"),
    # The dialog's one button is in one of three rows: press each.
    "award_dialog": presses("award_dialog", "ok@row0", "ok@row1", "ok@row2", pause_s=0.05),
    "award_loading": presses("award_loading", "skip"),
    "choose": Flow("song_select"),
    "join_choose": Flow("song_select"),
    "choose_dialog": presses(
        "choose_dialog", "option_0", "option_1", "option_2", "option_3", "confirm", pause_s=0.05
    ),
    "compete": Flow("lobby"),
    "join": Flow("lobby"),
    "download": presses("download", "ok"),
    "failed": presses("failed", "give_up"),
    "failed_again": presses("failed_again", "ok"),
    "main_page": presses("main_page", "live"),
    "opps": presses("opps", *(f"ok@row{i}" for i in range(6)), pause_s=0.05),
    "opps_reconnect": presses("opps_reconnect", "reconnect"),
    "ready_adjust": presses("ready_adjust", "ok"),
    "playmode": Flow("playmode"),
    "ready": Flow("ready"),
    "shop_dialog": presses("shop_dialog", "close"),
    "stage": presses("stage", "ok"),
    "stage_choose": presses("stage_choose", "ok"),
    "tour_choose": presses("tour_choose", "ok"),
    # The reader's menu, then its skip (shown once the menu is open), twice for safety.
    "story": Taps(
        (press("story", "menu", pause_s=0.2), press("story", "skip", pause_s=0.8), press("story", "skip"))
    ),
    "story_choose": Flow("story_choose"),
    "story_dialog": presses("story_dialog", "ok"),
    "story_skip": presses("story_skip", "skip"),
    "tour": Flow("tour"),
    "join_loading": WAIT,
    "join_wait": WAIT,
    "loading": WAIT,
    "playing": Flow("playing"),
    "ready_done": WAIT,
}


def back(state: str) -> Tap:
    """The on-screen back arrow of ``state``."""
    return press(state, "back")


# States whose screen is a dialog over something else: their action dismisses it, so
# repeating it is the "safe tap" recovery tries first on an unknown screen that follows.
DIALOGS = frozenset(
    {
        "award_dialog",
        "choose_dialog",
        "download",
        "opps",
        "opps_reconnect",
        "ready_adjust",
        "shop_dialog",
        "story_dialog",
    }
)

assert set(ACTIONS) == set(UI_STATES), "every screen state needs an action"
