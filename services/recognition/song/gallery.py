"""The gallery: the user's JSON list of ``[vector, id]`` plus, beside it, a binary copy
(``<name>.npy``) and a record of which model made it (``<name>.meta.json``).

Loading a 100k-entry JSON takes seconds; the .npy loads in milliseconds, so the JSON is
only parsed when the binary copy is missing or stale (the record keeps the JSON's size and
mtime). A different model id means the vectors are from another model: re-embed."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.atomic_write import write_atomic


class GalleryError(ValueError):
    """A gallery file that is corrupt or inconsistent."""


@dataclass
class Gallery:
    ids: list[int]
    vectors: npt.NDArray[np.float32]  # (N, D) unit rows
    model_id: str

    def __post_init__(self) -> None:
        v = np.asarray(self.vectors, dtype=np.float32)
        self.vectors = (
            v.reshape(len(self.ids), -1) if v.size else v.reshape(0, v.shape[-1] if v.ndim == 2 else 0)
        )
        if len(set(self.ids)) != len(self.ids):
            raise GalleryError("gallery has duplicate song ids")
        self._index = {i: k for k, i in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, song_id: object) -> bool:
        return song_id in self._index

    def vector(self, song_id: int) -> npt.NDArray[np.float32]:
        return np.asarray(self.vectors[self._index[song_id]], dtype=np.float32)

    def add(self, song_id: int, vec: npt.NDArray[np.float32]) -> None:
        if song_id in self._index:
            raise GalleryError(f"song {song_id} is already in the gallery")
        self._index[song_id] = len(self.ids)
        self.ids.append(song_id)
        self.vectors = np.concatenate([self.vectors, vec.reshape(1, -1).astype(np.float32)])


def paths(json_path: Path) -> tuple[Path, Path, Path]:
    p = Path(json_path)
    return p, p.with_suffix(".npy"), p.with_suffix(".meta.json")


def _entry(vec: npt.NDArray[np.float32], song_id: int) -> list[Any]:
    return [np.round(vec.astype(np.float64), 7).tolist(), int(song_id)]


def save(gallery: Gallery, json_path: Path, *, appended: int = 0) -> None:
    """Write JSON, binary copy, then the record (last: a crash leaves the record stale,
    which only costs a JSON parse next time). ``appended``: only that many entries were
    added at the end since the last save, so the JSON is patched at its tail instead of
    re-serialised (add_song on a 1000-song gallery: ~80 ms -> a few ms)."""
    jp, npy, mp = paths(json_path)
    old = jp.read_bytes().rstrip() if appended and jp.is_file() else b""
    if old.endswith(b"]") and len(gallery) > appended:
        new = [
            _entry(v, i) for v, i in zip(gallery.vectors[-appended:], gallery.ids[-appended:], strict=True)
        ]
        tail = json.dumps(new, separators=(",", ":")).encode()[1:]  # '[...]' without its '['
        write_atomic(jp, old[:-1] + b"," + tail)
    else:
        data = [_entry(v, i) for v, i in zip(gallery.vectors, gallery.ids, strict=True)]
        write_atomic(jp, json.dumps(data, separators=(",", ":")).encode())
    buf = io.BytesIO()
    np.save(buf, gallery.vectors)
    write_atomic(npy, buf.getvalue())
    st = jp.stat()
    record = {
        "model_id": gallery.model_id,
        "ids": gallery.ids,
        "dim": int(gallery.vectors.shape[1]),
        "json_size": st.st_size,
        "json_mtime_ns": st.st_mtime_ns,
    }
    write_atomic(mp, json.dumps(record).encode())


def _parse_json(jp: Path) -> tuple[list[int], npt.NDArray[np.float32]]:
    try:
        raw: Any = json.loads(jp.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GalleryError(f"{jp}: gallery is not valid JSON (corrupt?): {exc}") from exc
    if not isinstance(raw, list):
        raise GalleryError(f"{jp}: gallery must be a JSON list of [vector, id]")
    ids: list[int] = []
    vecs: list[list[float]] = []
    for k, entry in enumerate(raw):
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or not isinstance(entry[0], list)
            or not isinstance(entry[1], int)
        ):
            raise GalleryError(f"{jp}: entry {k} is not [vector, id]")
        ids.append(entry[1])
        vecs.append(entry[0])
    if len({len(v) for v in vecs}) > 1:
        raise GalleryError(f"{jp}: vectors of different lengths")
    try:
        arr = np.asarray(vecs, dtype=np.float32).reshape(len(ids), -1)
    except (TypeError, ValueError) as exc:
        raise GalleryError(f"{jp}: vectors are not numbers: {exc}") from exc
    return ids, arr


def load(json_path: Path) -> Gallery:
    """Load a gallery (binary copy when fresh). Missing file -> FileNotFoundError; corrupt
    -> GalleryError. The model id is '' when no record says which model made it."""
    jp, npy, mp = paths(json_path)
    if not jp.is_file():
        raise FileNotFoundError(f"gallery not found: {jp}")
    record: dict[str, Any] = {}
    if mp.is_file():
        try:
            record = json.loads(mp.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            record = {}
    st = jp.stat()
    fresh = (
        isinstance(record, dict)
        and record.get("json_size") == st.st_size
        and record.get("json_mtime_ns") == st.st_mtime_ns
        and npy.is_file()
    )
    if fresh:
        try:
            vecs = np.load(npy, allow_pickle=False)
            ids = [int(i) for i in record["ids"]]
            if vecs.ndim == 2 and len(vecs) == len(ids):
                return Gallery(ids, vecs, str(record.get("model_id", "")))
        except (ValueError, OSError, KeyError, TypeError):
            pass  # stale or damaged binary copy: fall back to the JSON
    ids, vecs = _parse_json(jp)
    model_id = str(record.get("model_id", "")) if isinstance(record, dict) else ""
    return Gallery(ids, vecs, model_id)
