"""The screen gallery: prototypes of each screen state, taken from frames, in the shipped
network's feature space (BangUINet's pooled 256-d features, the ONNX model's second output).

A frame is placed on the state of its nearest prototype (cosine distance); farther than that
state's radius (``max_dist``, more for a state whose prototypes vary) it is ``unknown``. A
frame added to a state is a new prototype at once: no training. The file is one ``.npz``
written atomically; it records the model that made the vectors, since another model's
features are not comparable."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from services.recognition.ui.calibrate import unit
from services.recognition.ui.labels import UNKNOWN
from shared.atomic_write import write_atomic
from shared.screens import UI_STATES

F32 = npt.NDArray[np.float32]
# Cosine distance beyond which a frame is no known screen. Measured by
# scripts/bench_ui_gallery.py (docs/recognition.md, "Screen gallery"): the largest distance
# of a held-out known frame to its own state's nearest prototype stays under it on both
# screen sets, while the unknown screens lie beyond it.
MAX_DIST = 0.13
# A state whose prototypes differ among themselves (a song jacket, a character, a counter)
# is given room for it: its radius is SPREAD x the largest distance between two of its
# prototypes, between MAX_DIST and MAX_RADIUS (scripts/bench_ui_gallery.py measured 1.5 and
# 0.2: held-out frames placed, no unknown screen let in).
SPREAD = 1.5
MAX_RADIUS = 0.2
# The placed frames' confidence runs from 1 (on a prototype) down to CONF_AT_LIMIT at
# max_dist, and under it beyond: the scriptor's "unknown under 0.6" reads the same way.
CONF_AT_LIMIT = 0.6


class GalleryError(ValueError):
    """A gallery file that is corrupt or does not match."""


@dataclass(frozen=True)
class Placement:
    state: str  # a state of UI_STATES, or "unknown"
    best: str  # the nearest state, before rejection
    distance: float  # cosine distance to its nearest prototype
    second: float  # distance to the nearest prototype of any other state (2.0 if none)
    confidence: float


@dataclass
class ScreenGallery:
    model_id: str
    states: list[str] = field(default_factory=list)  # one per prototype
    sources: list[str] = field(default_factory=list)  # where each came from (file name, "shipped")
    vectors: F32 = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # (N, D) unit rows
    max_dist: float = MAX_DIST

    def __post_init__(self) -> None:
        v = np.asarray(self.vectors, np.float32)
        self.vectors = (
            unit(v.reshape(len(self.states), -1)) if len(self.states) else v.reshape(0, v.shape[-1])
        )
        if not (len(self.states) == len(self.sources) == len(self.vectors)):
            raise GalleryError("gallery: states, sources and vectors differ in length")
        bad = sorted(set(self.states) - set(UI_STATES))
        if bad:
            raise GalleryError(f"gallery: {', '.join(bad)} is no screen state")

    def __len__(self) -> int:
        return len(self.states)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(UI_STATES, 0)
        for s in self.states:
            out[s] += 1
        return out

    def add(self, state: str, vec: F32, source: str) -> None:
        if state not in UI_STATES:
            raise GalleryError(f"{state!r} is no screen state")
        v = unit(np.asarray(vec, np.float32).reshape(1, -1))
        if len(self) and v.shape[1] != self.vectors.shape[1]:
            raise GalleryError(f"vector of {v.shape[1]} features, the gallery's have {self.vectors.shape[1]}")
        self.vectors = np.concatenate([self.vectors.reshape(len(self), v.shape[1]), v])
        self.states.append(state)
        self.sources.append(source)

    def remove_source(self, prefix: str) -> int:
        """Drop the prototypes whose source starts with ``prefix`` (e.g. "shipped")."""
        keep = [i for i, s in enumerate(self.sources) if not s.startswith(prefix)]
        gone = len(self) - len(keep)
        self.states = [self.states[i] for i in keep]
        self.sources = [self.sources[i] for i in keep]
        self.vectors = self.vectors[keep]
        return gone

    def state_distances(self, feats: F32) -> F32:
        """(N, 34): each frame's cosine distance to each state's nearest prototype (2 for a
        state with none)."""
        f = unit(np.asarray(feats, np.float32).reshape(len(feats), -1))
        out = np.full((len(f), len(UI_STATES)), 2.0, np.float32)
        if not len(self):
            return out
        d = 1.0 - f @ self.vectors.T
        ids = np.array([UI_STATES.index(s) for s in self.states])
        for k in np.unique(ids):
            out[:, k] = d[:, ids == k].min(1)
        return out

    def radii(self) -> F32:
        """(34,): how far from its nearest prototype a frame of each state may lie."""
        out = np.full(len(UI_STATES), self.max_dist, np.float32)
        states = np.array(self.states)
        for k, s in enumerate(UI_STATES):
            v = self.vectors[states == s] if len(self) else self.vectors[:0]
            if len(v) >= 2:
                spread = float((1.0 - v @ v.T).max())
                out[k] = min(MAX_RADIUS, max(self.max_dist, SPREAD * spread))
        return out

    def place(self, feats: F32) -> list[Placement]:
        dist = self.state_distances(feats)
        radii = self.radii()
        out: list[Placement] = []
        for row in dist:
            order = np.argsort(row)
            b, d = int(order[0]), float(row[order[0]])
            second = float(row[order[1]])
            conf = confidence(d, float(radii[b]))
            state = UI_STATES[b] if d <= radii[b] else UNKNOWN
            out.append(Placement(state, UI_STATES[b], d, second, conf))
        return out


def confidence(d: float, max_dist: float) -> float:
    """1 at a prototype, CONF_AT_LIMIT at the state's radius, falling linearly to 0 beyond."""
    return float(max(0.0, 1.0 - (1.0 - CONF_AT_LIMIT) * d / max(max_dist, 1e-6)))


def to_bytes(g: ScreenGallery) -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf,
        model_id=np.array(g.model_id),
        states=np.array(g.states, dtype=str),
        sources=np.array(g.sources, dtype=str),
        vectors=g.vectors.astype(np.float32),
        max_dist=np.array(g.max_dist, np.float32),
    )
    return buf.getvalue()


def save(g: ScreenGallery, path: Path) -> None:
    write_atomic(Path(path), to_bytes(g))


def load(path: Path) -> ScreenGallery:
    """FileNotFoundError when missing, GalleryError (naming the file) when unreadable."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"screen gallery not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            return ScreenGallery(
                str(z["model_id"]),
                [str(s) for s in z["states"]],
                [str(s) for s in z["sources"]],
                np.asarray(z["vectors"], np.float32),
                float(z["max_dist"]),
            )
    except GalleryError as exc:
        raise GalleryError(f"{path}: {exc}") from exc
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise GalleryError(f"{path}: not a readable screen gallery (corrupt?): {exc}") from exc


# Frames within this of a group's centre are shown and labelled with it: tighter than
# MAX_DIST, since screens of one family (a dialog over a menu) lie closer to each other than
# MAX_DIST allows once the other member is not taught yet (docs/recognition.md).
GROUP_DIST = 0.07


def group_frames(descs: F32, radius: float = GROUP_DIST) -> list[list[int]]:
    """Similar frames in groups, largest first: the frame with the most others within
    ``radius`` is a group's centre (listed first) and takes those; then the next."""
    x = unit(np.asarray(descs, np.float32).reshape(len(descs), -1))
    near = (1.0 - x @ x.T) <= radius
    free = np.ones(len(x), bool)
    groups: list[list[int]] = []
    while free.any():
        counts = (near & free[None, :]).sum(1) * free
        c = int(counts.argmax())
        members = np.flatnonzero(near[c] & free)
        groups.append([c, *[int(i) for i in members if i != c]])
        free[members] = False
        free[c] = False
    return groups
