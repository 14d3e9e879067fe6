"""Refitted curves on disk: the last fit of a trace (kept whether or not it was saved, so
the dashboard can save it after looking at the plot) and saving a fit as the next
coefficient version (``shared.playfield``'s ``workflow/coefficients/v<N>.json``; older
versions are kept). Writes go through ``shared.atomic_write``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from shared.atomic_write import write_atomic
from shared.playfield import SAVED_COEFFICIENTS_DIR, next_coefficient_version

LAST_FIT = "workflow/fits/last.json"


class FitSummary(Protocol):
    """What a document records of a fit (``services.workflow.curve.Fit`` is one)."""

    @property
    def coefficients(self) -> Sequence[float]: ...
    @property
    def rms_ms(self) -> float: ...
    @property
    def max_ms(self) -> float: ...
    @property
    def points(self) -> int: ...


def fit_document(fit: FitSummary, source: str, mode: str) -> dict[str, Any]:
    """What a saved version holds (and the last fit, plus ``saved_as``)."""
    return {
        "coefficients": list(fit.coefficients),
        "rms_ms": fit.rms_ms,
        "max_ms": fit.max_ms,
        "points": fit.points,
        "trace": source,
        "mode": mode,
        "fitted_at": datetime.now(UTC).isoformat(),
        "saved_as": None,
    }


def write_last_fit(data_dir: Path, doc: dict[str, Any]) -> None:
    write_atomic(Path(data_dir) / LAST_FIT, json.dumps(doc, indent=1).encode())


def read_last_fit(data_dir: Path) -> dict[str, Any] | None:
    """The last fit, or None when no trace was fitted yet. A broken file raises
    ``ValueError`` naming it."""
    path = Path(data_dir) / LAST_FIT
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
        if not isinstance(doc, dict) or len(doc["coefficients"]) != 5:
            raise ValueError("expected an object with 5 coefficients")
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{LAST_FIT}: not a fit ({exc})") from exc
    return doc


def save_version(data_dir: Path, doc: dict[str, Any]) -> tuple[str, Path]:
    """Saves ``doc`` as the next coefficient version (the play engine uses it from then on)
    and marks the last fit, if it is this one, as saved. Returns the version and its path."""
    version = next_coefficient_version(data_dir)
    path = Path(data_dir) / SAVED_COEFFICIENTS_DIR / f"{version}.json"
    saved = {
        **{k: v for k, v in doc.items() if k != "saved_as"},
        "version": version,
        "saved_at": datetime.now(UTC).isoformat(),
    }
    write_atomic(path, json.dumps(saved, indent=1).encode())
    last = read_last_fit(data_dir)
    if last is not None and last.get("fitted_at") == doc.get("fitted_at"):
        write_last_fit(data_dir, {**last, "saved_as": version})
    return version, path
