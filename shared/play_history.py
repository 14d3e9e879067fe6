"""The play history: one record per play, kept in ``<data dir>/scriptor/history.jsonl``.

Append-only JSON Lines: each record is one ``write`` of one line on a file opened for
appending, so a crash can at worst leave a torn last line, which the reader skips (and
says so) instead of losing the file. ``GET /api/scriptor/history`` serves it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

JUDGEMENTS = ("perfect", "great", "good", "bad", "miss")


class MedleySong(BaseModel):
    """One song of a tour medley (the result screen counts the medley as a whole)."""

    model_config = ConfigDict(frozen=True)

    song_id: int
    title: str
    difficulty: str
    level: int | None = None


class PlayRecord(BaseModel):
    """One play, as the history file and ``GET /api/scriptor/history`` hold it."""

    model_config = ConfigDict(frozen=True)

    song_id: int | None
    title: str
    difficulty: str  # easy .. special
    mode: str  # Free, Event/Compete, ...
    counts: dict[str, int] = Field(default_factory=dict)  # perfect .. miss
    fast: int = 0
    slow: int = 0
    cleared: bool = True  # False: the song was failed
    correction_time_us: int = 0  # the offset the play used
    performance: str = "AllPerfect"
    simulated: bool = False  # played on the simulator, not the game
    device: str = ""  # the serial of the device it was played on ("" in older rows)
    ts: float = Field(default_factory=time.time)
    level: int | None = None
    note: str = ""  # e.g. "result screen unreadable"
    # The result screen is not the chart played (another note count, title, difficulty or
    # level): never cleared; ``note`` says what disagreed.
    wrong_song: bool = False
    # A room's song the scriptor could not play (``note`` says why): ready was pressed so
    # the room went on, the song ran without our touches; never cleared, no counts.
    skipped: bool = False
    # What the result screen itself showed (None where it was not read): the song it names
    # confirms the song played.
    max_combo: int | None = None
    score: int | None = None
    result_song_id: int | None = None
    result_title: str | None = None
    # A tour medley: its songs in play order (song_id etc. above are the first's; the
    # counts are the medley's, as its one result screen shows them).
    medley: list[MedleySong] = Field(default_factory=list)

    @property
    def all_perfect(self) -> bool:
        return self.cleared and not self.skipped and sum(self.counts.get(k, 0) for k in JUDGEMENTS[1:]) == 0


def history_path(data_dir: Path) -> Path:
    return Path(data_dir) / "scriptor" / "history.jsonl"


def append(data_dir: Path, record: PlayRecord) -> None:
    path = history_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record.model_dump(), ensure_ascii=False, sort_keys=True) + "\n").encode()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # a torn last line stays torn alone, this record stays whole
        os.write(fd, line)  # one write of one line: appends do not interleave
        os.fsync(fd)
    finally:
        os.close(fd)


def read(data_dir: Path, limit: int | None = None) -> list[PlayRecord]:
    """Records oldest first (the last ``limit`` when given). Unreadable lines are skipped
    with a warning, never fatal."""
    path = history_path(data_dir)
    if not path.is_file():
        return []
    out: list[PlayRecord] = []
    for n, raw in enumerate(path.read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            out.append(PlayRecord.model_validate_json(raw))
        except ValidationError:
            log.warning("%s line %d is not a play record (torn write?): skipped", path.name, n)
    return out[-limit:] if limit else out
