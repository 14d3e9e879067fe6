"""Parse and validate Bestdori charts (both forms) into the chart model.

New form (2021-): ``BPM``, ``System`` (ignored), ``Single``, ``Directional``, ``Long`` and
``Slide`` events. Old form: no ``System``, and long notes are two-point ``Slide`` events.
The validator reports each malformed event as a ``ChartIssue`` and skips it instead of
crashing; only a chart with nothing playable in it is an error (``ChartError``).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any, Literal, TypeGuard

from shared.chart.model import BpmChange, Chart, ChartIssue, Directional, Note, Slide, SlidePoint, Tap

NOTE_LANES = (0.0, 6.0)
SLIDE_LANES = (-0.5, 6.5)  # slides may sit between or just outside the lanes
KNOWN_TYPES = ("BPM", "System", "Single", "Directional", "Long", "Slide")


class ChartError(ValueError):
    """A body that is not a playable chart (not a list, no tempo, no notes)."""


def _num(v: Any) -> TypeGuard[float]:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


class _Issues:
    def __init__(self) -> None:
        self.items: list[ChartIssue] = []

    def add(self, index: int, message: str) -> None:
        self.items.append(ChartIssue(index, message))


def _flag(ev: dict[str, Any], key: str, i: int, issues: _Issues, where: str = "") -> bool:
    v = ev.get(key, False)
    if isinstance(v, bool):
        return v
    issues.add(i, f"{where}{key}={v!r} is not true/false; read as false")
    return False


def _beat(ev: dict[str, Any], i: int, issues: _Issues, where: str = "") -> float | None:
    b = ev.get("beat")
    if not _num(b) or b < 0:
        issues.add(i, f"{where}beat {b!r} is not a number >= 0")
        return None
    return float(b)


def _lane(
    ev: dict[str, Any], i: int, issues: _Issues, bounds: tuple[float, float], where: str = ""
) -> float | None:
    lane = ev.get("lane")
    if not _num(lane) or not bounds[0] <= lane <= bounds[1]:
        issues.add(i, f"{where}lane {lane!r} is outside {bounds[0]:g}..{bounds[1]:g}")
        return None
    return float(lane)


def _slide(ev: dict[str, Any], i: int, issues: _Issues, long: bool) -> Slide | None:
    conns = ev.get("connections")
    kind = "Long" if long else "Slide"
    if not isinstance(conns, list) or len(conns) < 2:
        issues.add(i, f"{kind} needs a list of at least 2 connections")
        return None
    points: list[SlidePoint] = []
    for j, c in enumerate(conns):
        where = f"{kind} connection {j}: "
        if not isinstance(c, dict):
            issues.add(i, f"{where}not an object")
            return None
        beat = _beat(c, i, issues, where)
        lane = _lane(c, i, issues, SLIDE_LANES, where)
        if beat is None or lane is None:
            return None
        if points and beat < points[-1].beat:
            issues.add(i, f"{where}beat {beat:g} is before the previous connection's {points[-1].beat:g}")
            return None
        points.append(
            SlidePoint(
                beat,
                lane,
                hidden=_flag(c, "hidden", i, issues, where),
                flick=_flag(c, "flick", i, issues, where),
                skill=_flag(c, "skill", i, issues, where),
            )
        )
    if points[0].hidden or points[-1].hidden:
        issues.add(i, f"{kind}: first and last connections must not be hidden; shown instead")
        points[0] = replace(points[0], hidden=False)
        points[-1] = replace(points[-1], hidden=False)
    return Slide(tuple(points), long=long)


def parse_chart(raw: Any, *, errata: tuple[str, ...] = ()) -> Chart:
    """Parse a decoded chart (the JSON list). Malformed events become ``Chart.issues``."""
    if not isinstance(raw, list):
        raise ChartError(f"a chart is a JSON list of events, got {type(raw).__name__}")
    issues = _Issues()
    bpms: list[BpmChange] = []
    notes: list[Note] = []
    form: Literal["old", "new"] = "old"
    for i, ev in enumerate(raw):
        if not isinstance(ev, dict):
            issues.add(i, f"not an object: {ev!r:.40}")
            continue
        kind = ev.get("type")
        if kind in ("System", "Long"):
            form = "new"
        if kind == "System":
            continue
        if kind == "BPM":
            beat = _beat(ev, i, issues)
            bpm = ev.get("bpm")
            if not _num(bpm) or bpm <= 0:
                issues.add(i, f"BPM {bpm!r} is not a positive number")
            elif beat is not None:
                bpms.append(BpmChange(beat, float(bpm)))
        elif kind == "Single":
            beat = _beat(ev, i, issues)
            lane = _lane(ev, i, issues, NOTE_LANES)
            if beat is not None and lane is not None:
                notes.append(
                    Tap(beat, lane, flick=_flag(ev, "flick", i, issues), skill=_flag(ev, "skill", i, issues))
                )
        elif kind == "Directional":
            beat = _beat(ev, i, issues)
            lane = _lane(ev, i, issues, NOTE_LANES)
            direction = ev.get("direction")
            width = ev.get("width", 1)
            if direction not in ("Left", "Right"):
                issues.add(i, f"direction {direction!r} is not Left or Right")
            elif not isinstance(width, int) or isinstance(width, bool) or width < 1:
                issues.add(i, f"width {width!r} is not a whole number >= 1")
            elif beat is not None and lane is not None:
                notes.append(Directional(beat, lane, direction, width, skill=_flag(ev, "skill", i, issues)))
        elif kind in ("Long", "Slide"):
            slide = _slide(ev, i, issues, long=kind == "Long")
            if slide is not None:
                if slide.long and (len(slide.points) != 2):
                    issues.add(i, f"Long has {len(slide.points)} connections (expected 2); kept as a slide")
                notes.append(slide)
        else:
            issues.add(i, f"unknown event type {kind!r} (known: {', '.join(KNOWN_TYPES)})")
    if not bpms:
        raise ChartError("chart has no valid BPM event, so its beats cannot be timed")
    if not notes:
        raise ChartError("chart has no valid notes")
    bpms.sort(key=lambda b: b.beat)
    if bpms[0].beat > 0:
        issues.add(-1, f"first BPM is at beat {bpms[0].beat:g}, not 0; it is applied from beat 0")
    notes.sort(key=lambda n: (n.beat, n.lane))
    return Chart(tuple(bpms), tuple(notes), form, tuple(issues.items), errata)


def decode_chart(body: bytes, what: str = "a chart") -> Any:
    """The JSON inside a fetched or stored body; ``ChartError`` on anything that is not
    JSON (an HTML error page, a truncated body)."""
    text = body.decode("utf-8", errors="replace").lstrip()
    if text.startswith("<"):
        raise ChartError(f"got an HTML page, not {what}: {text[:60]!r}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChartError(f"not valid JSON (truncated?): {exc.msg} (byte {exc.pos} of {len(body)})") from exc


def parse_chart_bytes(body: bytes) -> Chart:
    return parse_chart(decode_chart(body))
