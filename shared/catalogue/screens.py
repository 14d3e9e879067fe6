"""The catalogue: each of the 34 screen states with its buttons (``buttons.py``), the
variant sets the game shows together, the regions and pixels read on it and their sources.
The pixels and regions the readers use are defined in ``shared.screen_facts`` and
``shared.playfield``; this table points at them rather than copying them."""

from __future__ import annotations

from collections.abc import Mapping

from shared import playfield, screen_facts
from shared.catalogue import sources as S
from shared.catalogue.buttons import BUTTONS
from shared.catalogue.regions import LEVEL_OFFSET_Y, TITLE_REGIONS
from shared.catalogue.types import Button, Region, Screen, Source
from shared.screens import UI_STATES


def _fact_source(name: str, default: Source) -> Source:
    """The source ``shared.screen_facts.SOURCES`` gives ``name``, where it has one."""
    table = getattr(screen_facts, "SOURCES", None)
    if isinstance(table, Mapping):
        ref = table.get(name)
        if isinstance(ref, Source):
            return ref
        if isinstance(ref, str) and ref:
            return Source("peer", ref)
    return default


def _sets(*sets: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(v.split()) for v in sets)


# The variant sets a screen can show, as the game combines them.
VARIANT_SETS: dict[str, tuple[frozenset[str], ...]] = {
    "choose": _sets("normal", "stage", "normal free", "normal fixed", "stage fixed", "normal free fixed"),
    "join_choose": _sets("normal", "normal free"),
    "award_back": _sets("", "finish"),
    "award_dialog": _sets("row0", "row1", "row2"),
    "opps": _sets(*(f"row{i}" for i in range(6))),
    "playmode": _sets("", "event_left", "event_right"),
    "ready": _sets("", "pick", "medley", "stage", "pick stage"),
}


def _box(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))


def _pixel(xy: tuple[int, int]) -> tuple[int, int, int, int]:
    return (xy[0], xy[1], xy[0], xy[1])


def _title(i: int, name: str) -> tuple[Region, Region]:
    x1, y1, x2, y2 = TITLE_REGIONS[i]
    level = (x1, y1 + LEVEL_OFFSET_Y, x2, y2 + LEVEL_OFFSET_Y)
    return (
        Region(f"{name}_title", (x1, y1, x2, y2), S.TITLE_REGION),
        Region(f"{name}_level", level, S.MY_CONFIG),
    )


_RESULT = tuple(
    Region(name, _box(box), _fact_source("RESULT_FIELDS", Source("assumed", "no source")))
    for name, box in screen_facts.RESULT_FIELDS.items()
)
_TOGGLES = (
    Region("live_mode_label", _box(screen_facts.MODE_LABEL_REGION), S.MODE_BUTTON),
    Region("cut_in", _box(screen_facts.CUT_IN_REGION), S.CUT_IN),
)
_MEDLEY = tuple(
    Region(
        f"medley_{k + 2}_title", _box(box), Source("assumed", "no source (the first version read one title)")
    )
    for k, box in enumerate(screen_facts.MEDLEY_TITLE_REGIONS)
)
_PLAYING = (
    Region("health_pixel", _pixel(playfield.HEALTH_PIXEL), S.HEALTH_PIXEL),
    Region("life_bar", playfield.LIFE_BAR, S.LIFE_BAR),
    Region("note_track", playfield.TRACK, S.MY_CONFIG),
    Region(
        "judge_line",
        (playfield.LANE_X[0], playfield.JUDGE_Y, playfield.LANE_X[-1], playfield.JUDGE_Y),
        Source("peer", "AD src/util.py lane.h 590; CO note_detector.py JUDGEMENT_Y; SSM stage/bang.go 591.1"),
    ),
    Region("pause_button", playfield.PAUSE_BUTTON, S.PAUSE_BUTTON),
)

REGIONS: dict[str, tuple[Region, ...]] = {
    "award": _RESULT,
    "choose": _title(0, "song"),
    "join_choose": _title(0, "song"),
    "ready": (*_title(0, "song"), *_title(1, "room"), *_TOGGLES, *_MEDLEY),
    "story_choose": (
        Region("story_unread", _pixel(screen_facts.STORY_UNREAD_PIXEL), Source("assumed", "no source")),
    ),
    "playing": _PLAYING,
}

SCREENS: dict[str, Screen] = {
    s: Screen(s, BUTTONS[s], VARIANT_SETS.get(s, (frozenset(),)), REGIONS.get(s, ())) for s in UI_STATES
}


def screen(state: str) -> Screen:
    try:
        return SCREENS[state]
    except KeyError:
        raise ValueError(f"unknown screen state {state!r}") from None


def buttons(state: str, variants: frozenset[str] = frozenset()) -> tuple[Button, ...]:
    """The buttons shown on ``state`` in the given variants."""
    return screen(state).shown(variants)


def hit(state: str, x: float, y: float, variants: frozenset[str] = frozenset()) -> Button | None:
    """The button a tap at (x, y) presses, or None (a tap that does nothing)."""
    hits = [b for b in buttons(state, variants) if b.hit(x, y)]
    return min(hits, key=lambda b: (b.x - x) ** 2 + (b.y - y) ** 2) if hits else None


def button(state: str, name: str, when: str = "") -> Button:
    """The button ``name`` of ``state`` (in variant ``when`` where it has several)."""
    found = [b for b in screen(state).buttons if b.name == name and (not when or b.when in ("", when))]
    if len(found) != 1:
        whens = sorted(b.when for b in screen(state).buttons if b.name == name)
        raise KeyError(f"{state} has {len(found)} buttons {name!r} for when={when!r} (variants: {whens})")
    return found[0]
