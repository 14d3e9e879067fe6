"""Error bundles: what the scriptor leaves when it gives up, under
``<data dir>/scriptor/errors/<time>/``: the last frames (``frame-NN-<state>.png``), the
state history and the reason (``states.json``) and its recovery log (``log.txt``).
``GET /api/scriptor/errors`` lists them, ``GET /api/scriptor/errors/{name}/{file}``
serves one file; names are checked here so a request can never leave the folder."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from pydantic import BaseModel

NAME = re.compile(r"^\d{8}-\d{6}(-\d{1,3})?$")  # 20261201-112233, -2 when two in a second
FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
MEDIA = {".png": "image/png", ".json": "application/json", ".txt": "text/plain; charset=utf-8"}


class ErrorBundle(BaseModel):
    name: str  # the folder under scriptor/errors/
    path: str  # relative to the data dir, as the task's failure message names it
    reason: str
    device: str = ""  # the serial of the device the run gave up on ("" in older bundles)
    files: list[str]
    created: float  # unix time


def errors_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "scriptor" / "errors"


def new_bundle(data_dir: Path, now: float | None = None) -> Path:
    """A fresh bundle folder (created), named by the local time; never an existing one."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    root = errors_dir(data_dir)
    for n in range(1000):
        folder = root / (stamp if n == 0 else f"{stamp}-{n + 1}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise OSError(f"too many error bundles named {stamp} in {root}")


def _said(folder: Path) -> tuple[str, str]:
    """The reason and the device ``states.json`` names ("" for what it lacks)."""
    try:
        data = json.loads((folder / "states.json").read_text())
        return str(data.get("reason", "")), str(data.get("device", ""))
    except (OSError, ValueError, AttributeError):
        return "", ""


def list_bundles(data_dir: Path) -> list[ErrorBundle]:
    """Every bundle, newest first."""
    root = errors_dir(data_dir)
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        # A symlink (to a folder outside the data dir) is no bundle: its names are not shown.
        if folder.is_symlink() or not folder.is_dir() or not NAME.match(folder.name):
            continue
        files = sorted(
            p.name for p in folder.iterdir() if not p.is_symlink() and p.is_file() and FILE.match(p.name)
        )
        reason, device = _said(folder)
        out.append(
            ErrorBundle(
                name=folder.name,
                path=f"scriptor/errors/{folder.name}",
                reason=reason,
                device=device,
                files=files,
                created=folder.stat().st_mtime,
            )
        )
    return sorted(out, key=lambda b: b.name, reverse=True)


def bundle_file(data_dir: Path, name: str, file: str) -> tuple[Path, str]:
    """(path, media type) of one file of a bundle. ``ValueError`` for a name that is not a
    bundle's or a file's (no separators, no dot-dot), ``FileNotFoundError`` when absent."""
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not an error bundle's name (like 20261201-112233)")
    if not FILE.match(file) or ".." in file:
        raise ValueError(f"{file!r} is not a file name")
    media = MEDIA.get(Path(file).suffix.lower())
    if media is None:
        raise ValueError(f"{file!r}: bundles hold only {', '.join(MEDIA)} files")
    root = errors_dir(data_dir).resolve()
    path = (root / name / file).resolve()
    if path.parent.parent != root or not path.is_file():
        raise FileNotFoundError(f"error bundle {name} has no {file}")
    return path, media
