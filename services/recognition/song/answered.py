"""The screenshots add_song already has an answer for (``<data dir>/song_recognition/
answered.json``), so a second run asks only about new ones. Keyed by the file's content
(SHA-256), so a renamed copy is still known and a new file under an old name is not."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from shared.atomic_write import write_atomic

log = logging.getLogger(__name__)


def file_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class AnsweredLedger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            # Unreadable: ask again rather than fail; the next answer rewrites it whole.
            log.warning("answered screenshots ledger %s unreadable (%s); starting afresh", path, exc)
            return
        if isinstance(raw, dict):
            self.entries = {k: v for k, v in raw.items() if isinstance(v, dict)}

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def record(self, key: str, name: str, answer: str, song: int | None = None) -> None:
        """Remember one answer, written at once (atomically: a crash loses at most it)."""
        self.entries[key] = {"file": name, "answer": answer, "song": song}
        write_atomic(self.path, json.dumps(self.entries, indent=1, ensure_ascii=False).encode("utf-8"))
