"""Bestdori charts: the model, the parser/validator for both forms, and the errata layer.
Other modules load charts through ``shared.chart.library`` (which applies the errata)."""

from shared.chart.errata import Erratum, apply_errata, load_errata, parse_errata
from shared.chart.model import (
    LANES,
    BpmChange,
    Chart,
    ChartIssue,
    Directional,
    Note,
    Slide,
    SlidePoint,
    Tap,
)
from shared.chart.parse import ChartError, decode_chart, parse_chart, parse_chart_bytes

__all__ = [
    "LANES",
    "BpmChange",
    "Chart",
    "ChartError",
    "ChartIssue",
    "Directional",
    "Erratum",
    "Note",
    "Slide",
    "SlidePoint",
    "Tap",
    "apply_errata",
    "decode_chart",
    "load_errata",
    "parse_chart",
    "parse_chart_bytes",
    "parse_errata",
]
