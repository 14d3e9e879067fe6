"""Saved frames on disk: which folder each ``FrameFolder`` is, how a frame is named (time
and state), listing them for the walk-through, moving one into the UI dataset under a
label, and how many frames a recording may write before the disk runs low. File I/O only
through ``shared.atomic_write`` and ``os.replace`` (both atomic); naming and the disk
bound are pure."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from shared.atomic_write import write_atomic
from shared.config.workflow import FrameFolder
from shared.screens import UI_STATES

FOLDERS: dict[FrameFolder, str] = {
    FrameFolder.ui_inbox: "ui_recognition/inbox",
    FrameFolder.song_screenshots: "song_recognition/screenshots",
    FrameFolder.records: "workflow/records",
}
IMGS = "ui_recognition/imgs"  # <label>/ folders of the UI dataset (services.recognition.ui)
FRAME_EXT = (".png", ".jpg", ".jpeg")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def folder(data_dir: Path, which: FrameFolder) -> Path:
    return Path(data_dir) / FOLDERS[which]


def frame_name(when: datetime, state: str, n: int | None = None) -> str:
    """``20261201-091700-123_<state>[_0007].png``: sorts by time; the state says what the
    frame shows (a UI state, ``playing``, or ``unknown``)."""
    stamp = when.astimezone(UTC).strftime("%Y%m%d-%H%M%S-") + f"{when.microsecond // 1000:03d}"
    safe = _SAFE.sub("-", state).strip("-") or "unknown"
    return f"{stamp}_{safe}" + (f"_{n:04d}" if n is not None else "") + ".png"


def save_frame(dest: Path, png: bytes, name: str) -> Path:
    path = dest / name
    write_atomic(path, png)
    return path


def list_frames(dest: Path) -> list[Path]:
    """The frames in ``dest``, by name (= by time for frames named by ``frame_name``)."""
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir() if p.is_file() and p.suffix.lower() in FRAME_EXT)


def check_label(label: str) -> str:
    if label not in UI_STATES:
        raise ValueError(f"unknown UI state {label!r}: one of {', '.join(UI_STATES)}")
    return label


def label_frame(data_dir: Path, src: Path, label: str) -> Path:
    """Moves ``src`` into ``ui_recognition/imgs/<label>/`` (atomic rename inside the data
    dir); a name already there gets a numbered suffix rather than being overwritten."""
    check_label(label)
    dest = Path(data_dir) / IMGS / label
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / src.name
    k = 1
    while target.exists():
        target = dest / f"{src.stem}-{k}{src.suffix}"
        k += 1
    os.replace(src, target)
    return target


def record_budget(wanted: int, frame_bytes: int, free_bytes: int, min_free_bytes: int) -> int:
    """How many of ``wanted`` frames of about ``frame_bytes`` fit while leaving
    ``min_free_bytes`` free on the disk."""
    room = free_bytes - min_free_bytes
    if room <= 0 or frame_bytes <= 0:
        return 0 if room <= 0 else wanted
    return max(0, min(wanted, room // frame_bytes))
