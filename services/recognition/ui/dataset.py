"""The labelled frames on disk: ``<data dir>/ui_recognition/imgs/<label>/*.png`` (one folder
per label of labels.LABELS, full frames of any size), the inbox of frames waiting for a
label (``ui_recognition/inbox/``, where the scriptor saves unknown and special screens),
and the importer for the first version's ``UI_imgs/<label>-NNN.png`` layout."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from services.recognition.ui.labels import LABEL_ID, LABELS
from services.recognition.ui.preprocess import H, Image, W, image_files, read_frame, small
from shared.atomic_write import write_atomic
from shared.screen_coverage import IMGS as IMGS  # the gateway reads it too (shared/)
from shared.screen_coverage import ROOT as ROOT

INBOX = f"{ROOT}/inbox"
MODELS = f"{ROOT}/models"
# Fewer frames than this for a label is named in a warning (docs/recognition.md measures
# accuracy against frames per label).
FEW_FRAMES = 3


def dataset_dir(data_dir: Path) -> Path:
    return Path(data_dir) / IMGS


def inbox_dir(data_dir: Path) -> Path:
    return Path(data_dir) / INBOX


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / MODELS


@dataclass
class Dataset:
    images: Image  # (N, 90, 160, 3) BGR uint8
    labels: np.ndarray  # (N,) int64 class ids (labels.LABELS)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "<file>: why"
    stray: list[str] = field(default_factory=list)  # folders that are no label

    def counts(self) -> dict[str, int]:
        ids, n = np.unique(self.labels, return_counts=True)
        return {LABELS[int(i)]: int(c) for i, c in zip(ids, n, strict=True)}


def load_dataset(root: Path) -> Dataset:
    """Every readable frame under ``root/<label>/``, resized to 90x160. Folders that are no
    label and files that do not decode are reported, not loaded."""
    imgs: list[Image] = []
    labels: list[int] = []
    files: list[str] = []
    skipped: list[str] = []
    stray: list[str] = []
    if root.is_dir():
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            if sub.name not in LABEL_ID:
                stray.append(sub.name)
                continue
            for f in image_files(sub):
                try:
                    imgs.append(small(read_frame(f)))
                except ValueError as exc:
                    skipped.append(f"{sub.name}/{f.name}: {exc}")
                    continue
                labels.append(LABEL_ID[sub.name])
                files.append(f"{sub.name}/{f.name}")
    arr = np.stack(imgs) if imgs else np.zeros((0, H, W, 3), np.uint8)
    return Dataset(arr, np.asarray(labels, np.int64), files, skipped, stray)


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return target


def move_into(src: Path, root: Path, label: str) -> Path:
    """Move a frame into ``root/<label>/`` under a free name: one rename on the same file
    system (atomic), else an atomic copy then removal of the source."""
    if label not in LABEL_ID:
        raise ValueError(f"{label!r} is not a label; one of {', '.join(LABELS)}")
    folder = root / label
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, src.name)
    try:
        os.rename(src, target)
    except OSError:
        write_atomic(target, src.read_bytes())
        src.unlink()
    return target


def add_frame(png: bytes, root: Path, label: str, name: str) -> Path:
    """Write encoded frame bytes into ``root/<label>/`` atomically."""
    if label not in LABEL_ID:
        raise ValueError(f"{label!r} is not a label; one of {', '.join(LABELS)}")
    target = _free_name(root / label, name)
    write_atomic(target, png)
    return target


V1_NAME = re.compile(r"^(?P<label>[a-z_]+?)[-_](?P<n>\d+)$")


def v1_label(path: Path) -> str | None:
    """The label of a first-version file name ``<label>-NNN.png`` (or ``<label>_NNN``)."""
    m = V1_NAME.match(path.stem.lower())
    return m.group("label") if m and m.group("label") in LABEL_ID else None


@dataclass
class ImportReport:
    imported: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def import_v1(src: Path, root: Path) -> ImportReport:
    """Copy ``UI_imgs/<label>-NNN.png`` into ``root/<label>/`` (the source is left as it
    was). Files with no known label or that do not decode are listed, not copied."""
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: no such folder (the first version's UI_imgs)")
    rep = ImportReport()
    for f in image_files(src):
        label = v1_label(f)
        if label is None:
            rep.skipped.append(f"{f.name}: name is not <state>-<number> of a known state")
            continue
        try:
            read_frame(f)
        except ValueError as exc:
            rep.skipped.append(str(exc))
            continue
        target = _free_name(root / label, f.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(f, tmp)
        os.replace(tmp, target)
        rep.imported[label] = rep.imported.get(label, 0) + 1
    return rep
