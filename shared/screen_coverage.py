"""How well the screens are covered, per state: how many frames the gallery has (the user's
labelled frames in ``imgs/<state>/``) and how sure the scriptor's recent placements were
(``ui_recognition/placements.json``, written by the scriptor every few seconds). The
dashboard's UI Recognition tab shows it, so the user sees what to teach next. Reading it
needs no model: the gateway lists files, and imports this from ``shared/`` (no task
module)."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shared.atomic_write import write_atomic
from shared.screens import UI_STATES

ROOT = "ui_recognition"
IMGS = f"{ROOT}/imgs"  # the labelled frames, one folder per state (services/recognition/ui/dataset.py)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")  # what the recognisers read
PLACEMENTS = f"{ROOT}/placements.json"
UNKNOWN = "unknown"
RECENT = 50  # placements kept per state
WRITE_EVERY_S = 5.0


class StateCoverage(BaseModel):
    state: str
    frames: int  # the user's frames of it in the gallery
    placed: int  # recent frames placed on it
    mean_confidence: float | None  # of those
    min_confidence: float | None
    unplaced_near: int  # recent unplaced frames whose nearest state it was


class PlacementLog:
    """The scriptor's recent placements, per state, kept on disk (atomic, throttled)."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(data_dir) / PLACEMENTS
        self.clock = clock
        self.placed: dict[str, deque[float]] = {s: deque(maxlen=RECENT) for s in UI_STATES}
        self.unplaced: dict[str, deque[float]] = {s: deque(maxlen=RECENT) for s in UI_STATES}
        self.written = float("-inf")
        for state, rec in _read(self.path).items():
            if state in self.placed:
                self.placed[state].extend(float(c) for c in rec.get("placed", []))
                self.unplaced[state].extend(float(c) for c in rec.get("unplaced", []))

    def note(self, state: str, confidence: float, nearest: str) -> None:
        if state != UNKNOWN and state in self.placed:
            self.placed[state].append(round(confidence, 3))
        elif nearest in self.unplaced:
            self.unplaced[nearest].append(round(confidence, 3))
        if self.clock() - self.written >= WRITE_EVERY_S:
            self.write()

    def write(self) -> None:
        self.written = self.clock()
        data = {s: {"placed": list(self.placed[s]), "unplaced": list(self.unplaced[s])} for s in UI_STATES}
        write_atomic(self.path, json.dumps(data, separators=(",", ":")).encode())


def _read(path: Path) -> dict[str, Any]:
    """The placements file; {} when missing or unreadable (it is only a record)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}


def _count_images(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def coverage(data_dir: Path) -> list[StateCoverage]:
    root = Path(data_dir) / IMGS
    recs = _read(Path(data_dir) / PLACEMENTS)
    out = []
    for s in UI_STATES:
        rec = recs.get(s, {})
        placed = [float(c) for c in rec.get("placed", []) if isinstance(c, (int, float))]
        unplaced = [c for c in rec.get("unplaced", []) if isinstance(c, (int, float))]
        out.append(
            StateCoverage(
                state=s,
                frames=_count_images(root / s),
                placed=len(placed),
                mean_confidence=round(sum(placed) / len(placed), 3) if placed else None,
                min_confidence=min(placed) if placed else None,
                unplaced_near=len(unplaced),
            )
        )
    return out
