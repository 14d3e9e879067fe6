"""What the scriptor does on each screen state, as data (docs/scriptor-and-play.md
section 1): most states are a fixed sequence of taps, the waiting screens are waits, and a
few states need logic (``Flow``: song select, ready, play mode, lobby, tour, story choice,
award back). The loop looks an action up here; flows are functions in ``flows.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.screens import UI_STATES


@dataclass(frozen=True)
class Tap:
    x: int
    y: int
    pause_s: float = 0.0  # wait after this tap before the next one


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


def taps(*points: tuple[int, int], pause_s: float = 0.0) -> Taps:
    return Taps(tuple(Tap(x, y, pause_s) for x, y in points))


WAIT = Wait()

ACTIONS: dict[str, Action] = {
    "award": taps((1080, 640)),
    "award_score": taps((1080, 640)),
    "award_again": taps((800, 640)),
    "award_back": Flow("award_back"),
    "award_dialog": taps((640, 640), (640, 580), (640, 520), pause_s=0.05),
    "award_loading": taps((30, 360)),
    "choose": Flow("song_select"),
    "join_choose": Flow("song_select"),
    "choose_dialog": taps((876, 208), (876, 284), (876, 356), (876, 430), (780, 640), pause_s=0.05),
    "compete": Flow("lobby"),
    "join": Flow("lobby"),
    "download": taps((760, 580)),
    "failed": taps((380, 450)),
    "failed_again": taps((780, 450)),
    "main_page": taps((1120, 640)),
    "opps": taps(*((640, y) for y in (420, 430, 440, 470, 480, 500)), pause_s=0.05),
    "opps_reconnect": taps((780, 500)),
    "ready_adjust": taps((780, 500)),
    "playmode": Flow("playmode"),
    "ready": Flow("ready"),
    "shop_dialog": taps((760, 640)),
    "stage": taps((1080, 640)),
    "stage_choose": taps((1080, 640)),
    "tour_choose": taps((1080, 640)),
    "story": Taps((Tap(1200, 60, 0.2), Tap(580, 60, 0.8), Tap(580, 60))),
    "story_choose": Flow("story_choose"),
    "story_dialog": taps((640, 580)),
    "story_skip": taps((770, 450)),
    "tour": Flow("tour"),
    "join_loading": WAIT,
    "join_wait": WAIT,
    "loading": WAIT,
    "playing": Flow("playing"),
    "ready_done": WAIT,
}

BACK_BUTTON = (32, 32)  # the on-screen back arrow

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
