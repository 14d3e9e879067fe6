"""Facts of the playing screen that are not buttons or regions of one state: the
playfield geometry and colours of ``shared.playfield``, each with its source (for the
generated ``docs/real-game.md``)."""

from __future__ import annotations

from dataclasses import dataclass

from shared import playfield as P
from shared.catalogue import sources as S
from shared.catalogue.types import Source


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: Source


def _lanes() -> str:
    return ", ".join(str(x) for x in P.LANE_X)


PLAYFIELD_FACTS: tuple[Fact, ...] = (
    Fact(
        "judge line y",
        str(P.JUDGE_Y),
        Source(
            "peer", "AD src/util.py lane.h 590; CO note_detector.py JUDGEMENT_Y 590; SSM stage/bang.go 591.1"
        ),
    ),
    Fact(
        "lane centres on the judge line",
        _lanes(),
        Source(
            "peer",
            "MY configuration.py TRACK_LB/RB (120|1160, 590); within 7 px of AD (200.5 + 147 i) "
            "and SSM (197 + 147.7 i)",
        ),
    ),
    Fact(
        "perspective: lanes converge toward",
        f"{P.VANISH}: x(y) = 640 + (x_judge - 640) * (y - 20) / 570",
        Source("peer", "CO note_detector.py, touch_planner/geometry.py @1f7c2a5 (single source)"),
    ),
    Fact(
        "note depth 0 (where the first-note curve starts)",
        f"y = {P.TOP_Y}",
        Source("first_version", "MY configuration.py TRACK_LT/RT (480|800, 180); no peer gives a track top"),
    ),
    Fact("note track searched", f"{P.TRACK} (x1, y1, x2, y2), perspective trapezoid inside", S.MY_CONFIG),
    Fact("life bar", f"{P.LIFE_BAR} (x1, y1, x2, y2), fills from the left", S.LIFE_BAR),
    Fact("life bar heart icon", f"{P.LIFE_ICON}", S.LIFE_BAR),
    Fact(
        "health pixel (play has started)",
        f"{P.HEALTH_PIXEL}, HSV {P.HEALTH_RANGE.lo}..{P.HEALTH_RANGE.hi}; green only while life >= ~52 %",
        Source(
            "first_version",
            "MY configuration.py HEALTH_POS/HEALTH; CO life_monitor.py bar position; "
            "MA hp_bar.png H ~59 S ~147-155",
        ),
    ),
    Fact("pause button", f"{P.PAUSE_BUTTON}", S.PAUSE_BUTTON),
    Fact("score panel", f"{P.SCORE_BOX}", Source("assumed", "no source (top left)")),
    *(
        Fact(
            f"note colour: {kind}",
            " or ".join(f"HSV {r.lo}..{r.hi}" for r in ranges),
            Source("first_version", "MY configuration.py (CO's skin TYPE1 ranges differ: tap is cyan there)"),
        )
        for kind, ranges in P.NOTE_COLOURS.items()
    ),
)
