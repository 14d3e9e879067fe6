"""Train -> compare -> promote, the part the song and the screen recognizer share: a fresh
candidate folder beside the current model, the checkpoint a training starts from, the current
model (the data dir's own, else the shipped one), the comparison's verdict, and its end: the
candidate's files moved over the current model by atomic renames, or the candidate discarded
or kept aside in ``rejected/<time>/`` with its reason. What each recognizer measures (the
song's hold-out quality, the screens' per-state accuracy and coverage) stays its own."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from services.recognition.common.model_file import ModelFileError
from shared.atomic_write import write_atomic
from shared.task_context import LogLevel

CANDIDATE = "candidate"
T = TypeVar("T")


def fresh_candidate(models_dir: Path) -> Path:
    """The empty folder a training writes its model files into (a stopped run's leftovers
    removed); the current model is untouched until ``promote``."""
    cand = models_dir / CANDIDATE
    shutil.rmtree(cand, ignore_errors=True)
    return cand


def current_model(models_dir: Path, name: str, shipped: Path) -> Path:
    """The model file the module uses: the one training promoted into ``models_dir``, else
    the shipped one."""
    trained = models_dir / name
    return trained if trained.is_file() else shipped


def start_checkpoint(models_dir: Path, name: str, shipped: Path, *, load: bool) -> Path | None:
    """The checkpoint a training starts from (``load``: the user's is_load_model): the data
    dir's own, else the shipped one, else None (from scratch)."""
    if not load:
        return None
    return next((p for p in (models_dir / name, shipped) if p.is_file()), None)


def measure_current(measure: Callable[[], T], log: Callable[[str, LogLevel], None]) -> T | None:
    """``measure()`` of the current model, or None (said in the log) when it cannot be
    read: an unusable current model is replaced by any new one."""
    try:
        return measure()
    except (ModelFileError, ValueError) as exc:
        log(f"current model unusable ({exc}); replacing it", "warning")
        return None


def worse(new: float, old: float | None) -> str:
    """Why the new model must not replace the current one by its one number ("" when it may:
    no current model to beat, or at least as good)."""
    if old is not None and new < old:
        return f"new model is worse ({new:.4f} < {old:.4f})"
    return ""


def promote(candidate_dir: Path, models_dir: Path, names: Iterable[str]) -> None:
    """Move the candidate's files ``names`` over the current model (each an atomic rename;
    a name the candidate lacks is left as it is)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = candidate_dir / name
        if src.is_file():
            os.replace(src, models_dir / name)


def keep_aside(candidate: Path, models_dir: Path, reason: str) -> Path:
    """Move the refused candidate to ``rejected/<time>/`` with its reason; returns it."""
    dest = models_dir / "rejected" / time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while dest.exists():
        dest = dest.with_name(f"{dest.name.split('_')[0]}_{n}")
        n += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    candidate.replace(dest)
    write_atomic(dest / "reason.txt", (reason + "\n").encode())
    return dest


def settle(
    candidate: Path, models_dir: Path, names: Iterable[str], why_not: str, *, keep_refused: bool
) -> Path | None:
    """The comparison's end: promote the candidate when nothing speaks against it
    (``why_not`` empty), else discard it or (``keep_refused``) keep it aside; returns where
    a refused candidate was kept."""
    if why_not and keep_refused:
        return keep_aside(candidate, models_dir, why_not)
    if not why_not:
        promote(candidate, models_dir, names)
    shutil.rmtree(candidate, ignore_errors=True)
    return None
