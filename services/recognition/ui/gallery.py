"""The screen gallery: prototypes of each screen state, taken from frames: their description
(embed.py: the shipped network's features and a thumbnail, compared by cosine) and their
layout (embed.layouts: a finer thumbnail, compared pixel by pixel).

Which state: the one whose layout the frame matches best, each state's pixels weighted by
how steady they are among its prototypes (1 / variance, shrunk towards LAYOUT_VAR): a
picture or a counter that changes in every frame of a screen counts little, the button row
that tells it from a sibling screen counts fully (a template pack's "compare where the
screens differ", learnt from the frames). Known or not: the frame lies within that state's
cosine radius (``max_dist``, more for a state whose prototypes vary) of a prototype, or its
layout distance is under LAYOUT_MAX; else it is ``unknown``. A frame added to a state is a
new prototype at once: no training. The file is one ``.npz`` written atomically; it
records the model that made the vectors, since another model's features are not comparable."""

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
# The layout: a frame's per-pixel variance floor (in units of the frame's own pixel spread:
# noise, JPEG, a pixel of shift), and the layout distance (the weighted mean of squared
# pixel differences) under which a frame is its state's. Measured by scripts/bench_ui_gallery.py:
# with 3 frames per state the known frames of the other game lie under 0.06, its unknown
# screens above 0.11 (docs/recognition.md).
LAYOUT_VAR = 0.05
LAYOUT_MAX = 0.05
# A state whose frames already show how it varies is known by its layout alone: a frame of
# an untaught sibling screen (the same backdrop, another button row) lies within the taught
# one's cosine radius but not within its layout. "Shows its variation": ALONE_MIN+ frames,
# and each lies within ALONE_STEADY of the layout model of the others (leave-one-out); the
# limit is ALONE_SCALE x the largest of those distances, between ALONE_FLOOR and ALONE_MAX.
# A state whose frames vary beyond that (a song's picture, notes) keeps the cosine radius.
# ALONE_FLOOR is under LAYOUT_MAX: a sibling screen differing by a small button row lies
# 0.02-0.05 from the taught one's model (measured by bench_ui_gallery.py teach).
ALONE_MIN = 8
ALONE_STEADY = 0.1
ALONE_SCALE = 2.0
ALONE_MAX = 0.2
ALONE_FLOOR = 0.015
NO_LAYOUT = 9.0  # the layout distance to a state without prototypes


class GalleryError(ValueError):
    """A gallery file that is corrupt or does not match."""


@dataclass(frozen=True)
class Placement:
    state: str  # a state of UI_STATES, or "unknown"
    best: str  # the nearest state, before rejection
    distance: float  # cosine distance to its nearest prototype
    second: float  # distance to the nearest prototype of any other state (2.0 if none)
    confidence: float
    layout: float = NO_LAYOUT  # layout distance to ``best`` (NO_LAYOUT where not compared)


@dataclass
class ScreenGallery:
    model_id: str
    states: list[str] = field(default_factory=list)  # one per prototype
    sources: list[str] = field(default_factory=list)  # where each came from (file name, "shipped")
    vectors: F32 = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # (N, D) unit rows
    max_dist: float = MAX_DIST
    # (N, L) one layout per prototype (embed.layouts), or none at all (cosine only)
    layouts: F32 = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    _model: tuple[F32, F32] | None = field(default=None, init=False, repr=False, compare=False)
    _alone: F32 | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        v = np.asarray(self.vectors, np.float32)
        self.vectors = (
            unit(v.reshape(len(self.states), -1)) if len(self.states) else v.reshape(0, v.shape[-1])
        )
        if not (len(self.states) == len(self.sources) == len(self.vectors)):
            raise GalleryError("gallery: states, sources and vectors differ in length")
        lay = np.asarray(self.layouts, np.float32)
        self.layouts = lay.reshape(len(lay), -1) if lay.size else np.zeros((0, 0), np.float32)
        if len(self.layouts) not in (0, len(self.states)):
            raise GalleryError("gallery: layouts and prototypes differ in number")
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

    @property
    def has_layouts(self) -> bool:
        return len(self) > 0 and len(self.layouts) == len(self)

    def add(self, state: str, vec: F32, source: str, layout: F32 | None = None) -> None:
        if state not in UI_STATES:
            raise GalleryError(f"{state!r} is no screen state")
        v = unit(np.asarray(vec, np.float32).reshape(1, -1))
        if len(self) and v.shape[1] != self.vectors.shape[1]:
            raise GalleryError(f"vector of {v.shape[1]} features, the gallery's have {self.vectors.shape[1]}")
        if len(self) and (layout is not None) != self.has_layouts:
            raise GalleryError("a prototype with a layout in a gallery without, or the other way round")
        if layout is not None:
            lay = np.asarray(layout, np.float32).reshape(1, -1)
            if len(self) and lay.shape[1] != self.layouts.shape[1]:
                raise GalleryError(
                    f"layout of {lay.shape[1]} values, the gallery's have {self.layouts.shape[1]}"
                )
            self.layouts = np.concatenate([self.layouts.reshape(len(self), lay.shape[1]), lay])
        self.vectors = np.concatenate([self.vectors.reshape(len(self), v.shape[1]), v])
        self.states.append(state)
        self.sources.append(source)
        self._model = self._alone = None

    def remove_source(self, prefix: str) -> int:
        """Drop the prototypes whose source starts with ``prefix`` (e.g. "shipped")."""
        keep = [i for i, s in enumerate(self.sources) if not s.startswith(prefix)]
        gone = len(self) - len(keep)
        self.states = [self.states[i] for i in keep]
        self.sources = [self.sources[i] for i in keep]
        self.vectors = self.vectors[keep]
        if len(self.layouts):
            self.layouts = self.layouts[keep]
        self._model = self._alone = None
        return gone

    def subset(self, keep: list[int]) -> ScreenGallery:
        return ScreenGallery(
            self.model_id,
            [self.states[i] for i in keep],
            [self.sources[i] for i in keep],
            self.vectors[keep],
            self.max_dist,
            self.layouts[keep] if self.has_layouts else np.zeros((0, 0), np.float32),
        )

    def _layout_model(self) -> tuple[F32, F32]:
        """Per state (34, L): the mean layout and the pixels' weights (summing to 1)."""
        if self._model is None:
            L = self.layouts.shape[1]
            means = np.zeros((len(UI_STATES), L), np.float32)
            weights = np.zeros((len(UI_STATES), L), np.float32)
            states = np.array(self.states)
            for k, s in enumerate(UI_STATES):
                x = self.layouts[states == s]
                if len(x):
                    means[k], weights[k] = steady_pixels(x)
            self._model = (means, weights)
        return self._model

    def layout_limits(self) -> F32:
        """(34,): the layout distance within which a frame is the state's, for the states
        known by their layout alone (ALONE_*); 0 for the others."""
        if self._alone is None:
            out = np.zeros(len(UI_STATES), np.float32)
            states = np.array(self.states)
            for k, s in enumerate(UI_STATES):
                idx = np.flatnonzero(states == s)
                if len(idx) < ALONE_MIN:
                    continue
                loo = self.layout_distances(self.layouts[idx], [int(j) for j in idx])[:, k]
                worst = float(loo.max())
                if worst <= ALONE_STEADY:
                    out[k] = min(ALONE_MAX, max(ALONE_FLOOR, ALONE_SCALE * worst))
            self._alone = out
        return self._alone

    def layout_distances(self, layouts: F32, own: list[int] | None = None) -> F32:
        """(N, 34): each frame's layout distance to each state (NO_LAYOUT for a state with
        none). ``own[i]``: a prototype left out for frame i (leave-one-out), or -1."""
        f = np.asarray(layouts, np.float32).reshape(len(layouts), -1)
        means, w = self._layout_model()
        out: F32 = (f * f) @ w.T - 2.0 * f @ (w * means).T + (w * means * means).sum(1)[None, :]
        have = np.array([s in self.states for s in UI_STATES])
        out[:, ~have] = NO_LAYOUT
        states = np.array(self.states)
        for i, j in enumerate(own or []):
            if j < 0:
                continue
            k = UI_STATES.index(self.states[j])
            rest = np.flatnonzero(states == self.states[j])
            rest = rest[rest != j]
            if not len(rest):
                out[i, k] = NO_LAYOUT
                continue
            m, wk = steady_pixels(self.layouts[rest])
            out[i, k] = float((wk * (f[i] - m) ** 2).sum())
        return np.maximum(out, np.float32(0.0))

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

    def place(
        self,
        feats: F32,
        layouts: F32 | None = None,
        own: list[int] | None = None,
        agree: list[str] | None = None,
    ) -> list[Placement]:
        """Each frame's state or unknown. Without ``layouts`` (or a gallery without them):
        the nearest prototype's state by cosine. ``own``: see layout_distances. ``agree``:
        the trained classifier's answer per frame; where it names the state the layout
        chose, the cosine radius still admits a frame its layout alone would refuse (a
        variation of the state the gallery's frames do not show, that training saw)."""
        dist = self.state_distances(feats)
        ids = np.array([UI_STATES.index(s) for s in self.states], int)
        for i, j in enumerate(own or []):
            if j >= 0:  # leave-one-out: the frame's own prototype does not count
                k = ids[j]
                others = np.flatnonzero((ids == k) & (np.arange(len(ids)) != j))
                f = unit(np.asarray(feats[i], np.float32).reshape(1, -1))[0]
                dist[i, k] = float((1.0 - self.vectors[others] @ f).min()) if len(others) else 2.0
        radii = self.radii()
        by_layout = layouts is not None and self.has_layouts
        lay = self.layout_distances(layouts, own) if by_layout and layouts is not None else None
        alone = self.layout_limits() if lay is not None and own is None else None
        out: list[Placement] = []
        for i, row in enumerate(dist):
            b = int(row.argmin()) if lay is None else int(lay[i].argmin())
            d = float(row[b])
            second = float(np.delete(row, b).min())
            conf = confidence(d, float(radii[b]))
            known = d <= radii[b]
            ld = NO_LAYOUT
            if lay is not None:
                ld = float(lay[i, b])
                if alone is not None and alone[b] > 0 and not (agree and agree[i] == UI_STATES[b]):
                    known = ld <= alone[b]  # its layout alone decides
                    conf = confidence(ld, float(alone[b]))
                else:
                    known = known or ld <= LAYOUT_MAX
                    conf = max(conf, confidence(ld, LAYOUT_MAX))
            out.append(Placement(UI_STATES[b] if known else UNKNOWN, UI_STATES[b], d, second, conf, ld))
        return out


def steady_pixels(x: F32) -> tuple[F32, F32]:
    """A state's layouts (n, L) -> their mean and each pixel's weight (1 / its variance among
    them, shrunk towards LAYOUT_VAR by one frame's worth), the weights summing to 1."""
    m = x.mean(0)
    var = (((x - m) ** 2).sum(0) + LAYOUT_VAR) / len(x)
    w = 1.0 / var
    return m.astype(np.float32), (w / w.sum()).astype(np.float32)


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
        layouts=g.layouts.astype(np.float16),  # half the size; the layouts are coarse anyway
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
                np.asarray(z["layouts"], np.float32),
            )
    except GalleryError as exc:
        raise GalleryError(f"{path}: {exc}") from exc
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise GalleryError(f"{path}: not a readable screen gallery (corrupt?): {exc}") from exc


# Frames within this of a group's centre are shown and labelled with it: tighter than
# MAX_DIST, since screens of one family (a dialog over a menu) lie closer to each other than
# MAX_DIST allows once the other member is not taught yet (docs/recognition.md).
GROUP_DIST = 0.07
# Where no group of a few frames is left at GROUP_DIST, the recording's remaining screens
# vary more among their frames (a picture, a counter): grouped wider, cut by layout
# (same_layout), measured by scripts/bench_ui_gallery.py teach --iterative.
GROUP_WIDER = (0.1, 0.13)


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


# A group is cut down to the frames laid out as its centre is (GROUP_CORE: the centre and
# its nearest members by layout make the layout model): sibling screens of a family lie
# within GROUP_DIST of each other by description, and one answer must not label both. The
# core is chosen by layout, not by description: a sibling's frames can be the centre's
# nearest by description (a picture and texts that change in every frame outweigh the
# button row), and a core holding them lets the whole sibling through (bench_ui_gallery.py
# teach --iterative, seed 4: 27 award_back frames taught as award_again).
GROUP_CORE = 4
# A member is kept within CUT_MAX of that model: under LAYOUT_MAX, as a sibling's frames lie
# 0.02-0.05 from it (bench_ui_gallery.py teach: at 0.05 one group held a sibling's frames on
# two seeds of four; at 0.025 none, for 1-3 answers more).
CUT_MAX = 0.025


def same_layout(group: list[int], layouts: F32) -> list[int]:
    """The members of ``group`` (centre first) whose layout lies within CUT_MAX of the
    layout model of the centre and its GROUP_CORE - 1 nearest members by layout (the mean
    squared difference to the centre's), centre kept first."""
    if len(group) <= 1:
        return list(group)
    lay = np.asarray(layouts, np.float32)[group].reshape(len(group), -1)
    near = np.argsort(((lay - lay[0]) ** 2).mean(1), kind="stable")[:GROUP_CORE]  # the centre first
    m, w = steady_pixels(lay[near])
    dist = ((lay - m) ** 2 * w).sum(1)
    return [group[0], *[g for g, dd in zip(group[1:], dist[1:], strict=True) if dd <= CUT_MAX]]
