"""Every screen's buttons by name (1280x720): the box the simulator draws and reacts to,
the point the scriptor taps, the states a press leads to, and where each comes from.

Positions the peer projects confirm (the LIVE button, start, confirm, the difficulty
badges) sit at the measured centres; the rest are the first version's tap points with
boxes sized around them (``box_source`` says so)."""

from __future__ import annotations

from shared.catalogue import sources as S
from shared.catalogue.types import ASSUMED_BOX, DISMISS, Button, Source
from shared.screen_facts import CUT_IN_BUTTON, MODE_BUTTON

DIFFICULTY_NAMES = ("easy", "normal", "hard", "expert", "special")
# Song select's difficulty badges: the mean of AD's and CO's centres (pitch ~112).
SONG_DIFFICULTY_X = (714, 824, 939, 1050, 1181)
SONG_DIFFICULTY_Y = 543


def _b(
    name: str,
    x: int,
    y: int,
    w: int,
    h: int,
    source: Source,
    to: tuple[str, ...] | str,
    *,
    when: str = "",
    tap: tuple[int, int] | None = None,
    box_source: Source | None = None,
) -> Button:
    dest = (to,) if isinstance(to, str) else to
    return Button(name, x, y, w, h, source, dest, when, tap, box_source or ASSUMED_BOX)


def _back(to: tuple[str, ...] | str) -> Button:
    return _b("back", 32, 32, 48, 48, S.MY_DOCS, to)


def _next(name: str, to: tuple[str, ...] | str) -> Button:
    """The bottom-right "next" button of the reward, stage and tour pages."""
    return _b(name, 1080, 640, 200, 56, S.NEXT_BOTTOM_RIGHT, to)


def _song_select(state: str, room: bool = False) -> tuple[Button, ...]:
    """Song select; in a room (``room``) without Stage's arrows and the difficulty badges
    (the room's difficulty is picked on the ready page)."""
    here = (state,)
    diff = (
        ()
        if room
        else tuple(
            _b(
                f"difficulty_{n}",
                SONG_DIFFICULTY_X[i],
                SONG_DIFFICULTY_Y,
                56,
                60,
                S.SONG_DIFFICULTY,
                here,
                when="fixed",
            )
            for i, n in enumerate(DIFFICULTY_NAMES)
        )
    )
    return (
        _back(("stage_choose", "playmode")),
        _b("list_up", 380, 270, 90, 60, S.MY_DOCS, here, when="normal"),
        _b("list_down", 380, 420, 90, 60, S.MY_DOCS, here, when="normal"),
        *(
            ()
            if room
            else (
                _b("list_up", 160, 150, 90, 60, S.MY_DOCS, here, when="stage"),
                _b("list_down", 160, 310, 90, 60, S.MY_DOCS, here, when="stage"),
            )
        ),
        # Narrow: it sits between the Easy and Normal badges where the first version tapped.
        _b("random", 780, 540, 30, 44, S.MY_DOCS, here, when="normal"),
        _b("random", 680, 650, 96, 44, S.RANDOM_FREE, here, when="free"),
        _b("no", 780, 610, 100, 40, S.NO_SONG, here),
        *diff,
        _b("confirm", 1090, 637, 200, 50, S.CONFIRM_BUTTON, "ready", box_source=S.CONFIRM_BUTTON),
    )


_READY_PICK_X = tuple(600 + 85 * i for i in range(5))  # co-op pitch ~84, special at ~942

BUTTONS: dict[str, tuple[Button, ...]] = {
    "award": (_next("ok", "award_score"),),
    "award_score": (_next("ok", ("choose", "tour_choose", "award_back", "award_again")),),
    "award_again": (_b("again", 800, 640, 200, 56, S.MY_DOCS, "join_wait"),),
    # 100 px apart: boxes narrow enough not to overlap.
    "award_back": (
        _b("go_on", 760, 440, 120, 56, S.MY_DOCS, "compete"),
        _b("finish", 660, 440, 80, 56, S.MY_DOCS, "playmode", when="finish"),
    ),
    # One real button per dialog, in one of the rows the first version taps.
    "award_dialog": tuple(
        _b("ok", 640, y, 240, 50, S.MY_DOCS, DISMISS, when=f"row{i}") for i, y in enumerate((640, 580, 520))
    ),
    "award_loading": (_b("skip", 30, 360, 60, 718, S.MY_DOCS, "award"),),
    "choose": _song_select("choose"),
    "join_choose": _song_select("join_choose", room=True),
    "choose_dialog": (
        *(
            _b(f"option_{i}", 876, y, 300, 60, S.CHOOSE_DIALOG, "choose_dialog")
            for i, y in enumerate((208, 284, 356, 430))
        ),
        _b("confirm", 780, 640, 200, 56, S.CHOOSE_DIALOG, DISMISS),
    ),
    "compete": (_back("playmode"), _b("enter", 1080, 640, 200, 56, S.MY_DOCS, "join_loading")),
    "join": (_back("playmode"), _b("enter", 1080, 640, 200, 56, S.MY_DOCS, "join_loading")),
    "download": (_b("ok", 760, 580, 200, 56, S.MY_DOCS, DISMISS),),
    "failed": (_b("give_up", 380, 450, 200, 56, S.FAILED_GIVE_UP, "failed_again"),),
    "failed_again": (_b("ok", 780, 450, 200, 56, S.QUIT_CONFIRM, "award_loading"),),
    "main_page": (
        _b(
            "live", 1175, 645, 180, 130, S.LIVE_BUTTON, ("playmode", "story_choose"), box_source=S.LIVE_BUTTON
        ),
    ),
    # The error dialog's OK sits at one of the heights the first version tapped.
    "opps": tuple(
        _b("ok", 640, y, 240, 8, S.MY_DOCS, DISMISS, when=f"row{i}")
        for i, y in enumerate((420, 430, 440, 470, 480, 500))
    ),
    "opps_reconnect": (_b("reconnect", 780, 500, 200, 56, S.MY_DOCS, DISMISS),),
    "ready_adjust": (_b("ok", 780, 500, 200, 56, S.MY_DOCS, DISMISS),),
    "playmode": (
        _back("main_page"),
        _b("free", 800, 480, 220, 100, S.FREE_TILE, "loading"),
        _b("collaborate", 1080, 480, 220, 100, S.COOP_TILE, "join"),
        _b("stage", 920, 600, 220, 80, S.MY_DOCS, "stage"),
        _b("event", 800, 240, 220, 100, S.CHALLENGE_TILE, ("loading", "tour"), when="event_left"),
        _b("event", 1080, 240, 220, 100, S.TEAM_TILE, "compete", when="event_right"),
    ),
    "ready": (
        _back(("choose", "tour_choose", "playmode")),
        # The box estimated from the AD/CO templates; the tap at the label's centre.
        _b(
            "start",
            1132,
            624,
            190,
            76,
            S.START_BUTTON,
            ("loading", "ready_done"),
            tap=(1132, 642),
            box_source=S.START_BUTTON,
        ),
        *(
            _b(f"difficulty_{n}", _READY_PICK_X[i], 580, 76, 40, S.COOP_DIFFICULTY, "ready", when="pick")
            for i, n in enumerate(DIFFICULTY_NAMES)
        ),
        # One button cycles 3D -> MV -> OFF; the cut-in checkbox acts only while it is OFF.
        _b("live_mode", *MODE_BUTTON, 40, 40, S.MODE_BUTTON, "ready"),
        _b("cut_in", *CUT_IN_BUTTON, 40, 40, S.CUT_IN, "ready"),
        _b("stage_option", 210, 390, 120, 60, S.MY_DOCS, "ready", when="stage"),
        _b("stage_confirm", 640, 520, 200, 60, S.MY_DOCS, "ready", when="stage"),
        *(
            _b(f"medley_{k}_{n}", 64 + 80 * i + 408 * k, 370, 70, 40, S.TOUR_MEDLEY, "ready", when="medley")
            for k in range(3)
            for i, n in enumerate(DIFFICULTY_NAMES)
        ),
    ),
    "shop_dialog": (_b("close", 760, 640, 200, 56, S.MY_DOCS, DISMISS),),
    "stage": (_back("playmode"), _next("ok", "stage_choose")),
    "stage_choose": (_back("stage"), _next("ok", "choose")),
    "tour_choose": (_back("tour"), _next("ok", "ready")),
    "story": (
        _b("menu", 1200, 60, 100, 60, S.STORY_MENU, "story"),
        _b("skip", 580, 60, 120, 60, S.STORY_SKIP, ("story", "story_skip")),
    ),
    "story_choose": (
        _back("main_page"),
        _b("read", 1080, 640, 200, 56, S.STORY_READ, ("story", "story_choose")),
    ),
    "story_dialog": (_b("ok", 640, 580, 200, 56, S.STORY_DIALOG, DISMISS),),
    "story_skip": (_b("skip", 770, 450, 200, 56, S.STORY_SKIP_CONFIRM, "story_choose"),),
    "tour": (
        _back("playmode"),
        _b("lobby", 440, 450, 240, 100, S.MY_DOCS, "join_loading"),
        _b("solo", 840, 450, 240, 100, S.MY_DOCS, "tour_choose"),
    ),
    # Waiting screens: nothing to press.
    "join_loading": (),
    "join_wait": (),
    "loading": (),
    "playing": (),
    "ready_done": (),
}
