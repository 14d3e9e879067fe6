"""A trained model's files: promoted over the current model by atomic renames."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def promote(candidate_dir: Path, models_dir: Path, names: Iterable[str]) -> None:
    """Move the candidate's files ``names`` over the current model (each an atomic rename;
    a name the candidate lacks is left as it is)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = candidate_dir / name
        if src.is_file():
            os.replace(src, models_dir / name)
