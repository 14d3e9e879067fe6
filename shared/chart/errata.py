"""Chart errata: known Bestdori mistakes, kept as data (``errata.json``) and applied to a
copy of the raw events when a chart is loaded, so fetched files stay as Bestdori sent them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ERRATA_FILE = Path(__file__).resolve().parent / "errata.json"
BEAT_TOLERANCE = 0.002  # Bestdori writes thirds as 234.08333...; errata say 234.083


@dataclass(frozen=True)
class Erratum:
    chart: str  # "<id>_<difficulty>" or "<id>_*"
    why: str = ""
    match: dict[str, float] = field(default_factory=dict)
    set: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    add: dict[str, Any] | None = None

    def applies_to(self, song_id: int, difficulty: int) -> bool:
        sid, _, diff = self.chart.partition("_")
        return sid == str(song_id) and diff in ("*", str(difficulty))

    def describe(self) -> str:
        if self.add is not None:
            return f"{self.chart}: add {json.dumps(self.add, sort_keys=True)} ({self.why})"
        what = ", ".join([*(f"{k}->{v}" for k, v in self.set.items()), *(f"no {k}" for k in self.unset)])
        return f"{self.chart}: at {json.dumps(self.match, sort_keys=True)} {what} ({self.why})"


def parse_errata(raw: Any) -> tuple[Erratum, ...]:
    """Read an errata document; ``ValueError`` naming the bad entry."""
    if not isinstance(raw, dict) or not isinstance(raw.get("errata"), list):
        raise ValueError("errata: expected an object with an 'errata' list")
    out = []
    for n, e in enumerate(raw["errata"]):
        if not isinstance(e, dict) or not isinstance(e.get("chart"), str) or "_" not in e["chart"]:
            raise ValueError(f"errata entry {n}: needs chart '<id>_<difficulty>' or '<id>_*'")
        has_change = bool(e.get("set") or e.get("unset"))
        if (e.get("add") is None) == (not has_change) or (has_change and not e.get("match")):
            raise ValueError(f"errata entry {n} ({e['chart']}): give either match + set/unset, or add")
        out.append(
            Erratum(
                e["chart"],
                str(e.get("why", "")),
                dict(e.get("match") or {}),
                dict(e.get("set") or {}),
                tuple(e.get("unset") or ()),
                e.get("add"),
            )
        )
    return tuple(out)


@lru_cache(maxsize=4)
def load_errata(path: Path = ERRATA_FILE) -> tuple[Erratum, ...]:
    return parse_errata(json.loads(Path(path).read_text(encoding="utf-8")))


def _points(events: list[Any]) -> Iterator[dict[str, Any]]:
    """Every note point: top-level notes and each long/slide connection."""
    for ev in events:
        if not isinstance(ev, dict) or ev.get("type") in ("BPM", "System"):
            continue
        conns = ev.get("connections")
        if isinstance(conns, list):
            yield from (c for c in conns if isinstance(c, dict))
        else:
            yield ev


def _matches(point: dict[str, Any], match: dict[str, float]) -> bool:
    for key, want in match.items():
        got = point.get(key)
        if not isinstance(got, int | float) or abs(got - want) > BEAT_TOLERANCE:
            return False
    return True


def apply_errata(
    events: Any, song_id: int, difficulty: int, errata: tuple[Erratum, ...] | None = None
) -> tuple[Any, tuple[str, ...]]:
    """A patched copy of ``events`` and the errata that changed something. Errata that find
    nothing (Bestdori fixed the chart) are skipped silently."""
    if not isinstance(events, list):
        return events, ()
    todo = [e for e in (load_errata() if errata is None else errata) if e.applies_to(song_id, difficulty)]
    if not todo:
        return events, ()
    patched = copy.deepcopy(events)
    applied: list[str] = []
    for e in todo:
        if e.add is not None:
            where = {k: v for k, v in e.add.items() if k in ("beat", "lane")}
            if any(_matches(p, where) and p.get("type") == e.add.get("type") for p in _points(patched)):
                continue  # already there: Bestdori fixed it
            patched.append(copy.deepcopy(e.add))
            applied.append(e.describe())
            continue
        hits = [p for p in _points(patched) if _matches(p, e.match)]
        for p in hits:
            p.update(e.set)
            for key in e.unset:
                p.pop(key, None)
        if hits:
            applied.append(e.describe())
    return patched, tuple(applied)
