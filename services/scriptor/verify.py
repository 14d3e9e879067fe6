"""Is it the right song? Why a song is not played, and whether a result belongs to the play
(pure).

Before a play the reason a song is skipped names the real cause: not recognised, recognised
but the catalog has no such difficulty, recognised with no chart in the data dir (fetch
it while online), or the ready screen's difficulty / level disagree with the chart chosen
(a twin taken for its sibling, a level the catalog does not know). After a play, the
result screen must agree with the chart played: its judgements add up to the chart's
note count, and the title / difficulty / level it shows (when the reader gives them) are
the play's; otherwise the play is a wrong song, never recorded as cleared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from shared.catalog import DIFFICULTIES

SkipKind = Literal["unrecognised", "no_difficulty", "no_chart", "mismatch"]


@dataclass(frozen=True)
class Skip:
    """A song the ready screen shows that is not played, and why in plain words."""

    kind: SkipKind
    message: str


def no_chart(song_id: int, title: str, difficulty: int, in_catalog: bool, how: str) -> Skip:
    """A recognised song whose chart for ``difficulty`` is missing."""
    name = f"song {song_id} ({title})"
    level = DIFFICULTIES[difficulty].capitalize()
    if not in_catalog:
        return Skip("no_difficulty", f"{name} recognised ({how}), but it has no {level} difficulty")
    return Skip(
        "no_chart",
        f"{name} recognised ({how}), but its {level} chart is not in the data dir: "
        "fetch it (the fetch module, online) to play it",
    )


def _disagreements(reading: Any, expected: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, shown, expected) for each of ``song_id`` / ``difficulty`` / ``level`` that
    both sides give and that differ; a field either side lacks is not checked."""
    out = []
    for key in ("song_id", "difficulty", "level"):
        shown = getattr(reading, key, None) if reading is not None else None
        want = expected.get(key)
        if shown is not None and want is not None and str(shown).lower() != str(want).lower():
            out.append((key.replace("_", " "), shown, want))
    return out


def ready_mismatch(reading: Any, song_id: int, title: str, difficulty: int, level: int | None) -> Skip | None:
    """Why the song the ready screen shows (``reading``: its ``difficulty`` and ``level``)
    is not the chart chosen for it; None when nothing read disagrees."""
    name = DIFFICULTIES[difficulty]
    why = _disagreements(reading, {"difficulty": name, "level": level or None})
    if not why:
        return None
    shows = " and ".join(f"{key} {shown}" for key, shown, _ in why)
    return Skip(
        "mismatch",
        f"song {song_id} ({title}) {name.capitalize()} lv {level} was chosen, but the ready screen "
        f"shows {shows}: not played (the wrong song or chart)",
    )


def result_mismatch(
    counts: Mapping[str, int] | None,
    note_count: int | None,
    reading: Any,
    expected: Mapping[str, Any],
) -> str:
    """Why the result screen is not the play's ("" when nothing disagrees): its judgements'
    total against the chart's notes, and any of ``song_id`` / ``difficulty`` / ``level``
    the reading carries against ``expected``."""
    why = []
    if counts is not None and note_count is not None and sum(counts.values()) != note_count:
        why.append(f"the result counts {sum(counts.values())} notes, the chart played has {note_count}")
    for key, shown, want in _disagreements(reading, expected):
        why.append(f"the result shows {key} {shown}, the play was {want}")
    return "; ".join(why)
