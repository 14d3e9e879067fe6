"""Chart helpers for the play tests: the shipped charts and small hand-made ones."""

from __future__ import annotations

from typing import Any

from shared.chart import Chart, parse_chart, parse_chart_bytes
from shared.data import CHARTS_DIR

CHARTS = CHARTS_DIR


def shipped(name: str) -> Chart:
    return parse_chart_bytes((CHARTS / f"{name}.bestdori").read_bytes())


def all_shipped() -> list[tuple[str, Chart]]:
    return [(p.stem, parse_chart_bytes(p.read_bytes())) for p in sorted(CHARTS.glob("*.bestdori"))]


def chart(
    *notes: dict[str, Any], bpm: float = 120.0, more_bpms: tuple[tuple[float, float], ...] = ()
) -> Chart:
    events: list[dict[str, Any]] = [{"type": "BPM", "beat": 0, "bpm": bpm}]
    events += [{"type": "BPM", "beat": b, "bpm": v} for b, v in more_bpms]
    return parse_chart([*events, *notes])


def cut(c: Chart, seconds: float) -> Chart:
    """The chart's notes that end within its first ``seconds`` (a short real play)."""
    notes = tuple(n for n in c.notes if c.seconds(n.end_beat) <= seconds)
    return Chart(c.bpms, notes, c.form)
