"""The data dir's screen gallery and the reader the scriptor asks: which screen a frame is.

The user's frames are the labelled frames of ``ui_recognition/imgs/<state>/`` (the ones
training reads too); ``ui_recognition/gallery.npz`` holds their descriptions so that a start
does not re-run the network on all of them. That file is only a cache: missing, corrupt or
made by another model, it is rebuilt from the frames, and frames added or removed on disk
are caught up at load. Teaching a frame writes it there (atomic) and adds its prototype: the
next frame is placed with it.

Out of the box the gallery holds the simulator's screens (``models/gallery_frames.npz``,
made by scripts/make_ui_dataset.py gallery); a state the user has taught uses only the
user's frames, so a simulator drawing never outvotes the real game's screen.

Which answer the scriptor uses, the gallery's or the trained classifier's, is measured on
the user's frames (``choice``): the gallery's leave-one-out accuracy against the classifier's
answers on the same frames; ties go to the gallery. Where the classifier is chosen and
cannot place a frame, the user's own prototypes still can (a frame just taught counts).

Frames the user answered "none of the 34" (the scriptor's Drop) are kept in
``imgs/unknown/`` (the rejection class training reads) and remembered (``dismissed``): a
later frame like one of them, in this run or the next, is not asked about again. They are
never a state's prototype: such a frame stays unknown to the scriptor."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from services.recognition.ui import gallery as gallery_file
from services.recognition.ui.classifier import Prediction, current_model
from services.recognition.ui.dataset import ROOT, add_frame, dataset_dir
from services.recognition.ui.embed import F32, Embedder
from services.recognition.ui.gallery import MAX_DIST, GalleryError, Placement, ScreenGallery
from services.recognition.ui.labels import UNKNOWN
from services.recognition.ui.preprocess import Image, image_files, read_frame, small
from shared.screens import UI_STATES

GALLERY = f"{ROOT}/gallery.npz"
SHIPPED_FRAMES = Path(__file__).resolve().parent / "models" / "gallery_frames.npz"
SHIPPED = "shipped:"  # the source prefix of the simulator's prototypes


@dataclass(frozen=True)
class Reading:
    state: str  # a state or "unknown"
    confidence: float
    by: str  # "gallery" or "model": whose answer it is
    placement: Placement
    prediction: Prediction


@dataclass(frozen=True)
class Choice:
    by: str  # "gallery" or "model"
    frames: int  # user frames it was measured on
    gallery_accuracy: float  # leave-one-out
    model_accuracy: float


def gallery_path(data_dir: Path) -> Path:
    return Path(data_dir) / GALLERY


def shipped_frames(path: Path = SHIPPED_FRAMES) -> tuple[Image, list[str]]:
    """The simulator's frames the product starts with ((N, 90, 160, 3) BGR, states)."""
    if not path.is_file():
        return np.zeros((0, 90, 160, 3), np.uint8), []
    with np.load(path, allow_pickle=False) as z:
        return np.asarray(z["frames"], np.uint8), [str(s) for s in z["states"]]


class ScreenReader:
    def __init__(self, data_dir: Path, model: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = Embedder.load(model if model is not None else current_model(self.data_dir))
        self.notes: list[str] = []  # what loading had to repair, for the task's log
        # A user prototype's source is "<state>/<file>|<the classifier's answer on it>".
        self._active_cache: ScreenGallery | None = None  # _active(), until the next teach
        self.gallery = self._load()
        self.dismissed = self._load_dismissed()  # (N, D) unit descriptions
        self._taught = self._taught_states()
        self.choice = self.measure()

    # -- loading ------------------------------------------------------------------------
    def _load(self) -> ScreenGallery:
        path = gallery_path(self.data_dir)
        g: ScreenGallery | None = None
        try:
            g = gallery_file.load(path)
            if g.model_id != self.embedder.model_id:
                self.notes.append("screen gallery made by another model: rebuilt from the frames")
                g = None
        except FileNotFoundError:
            pass
        except GalleryError as exc:
            self.notes.append(f"{exc}; rebuilt from the frames")
            g = None
        fresh = g is None
        if g is None:
            g = ScreenGallery(self.embedder.model_id)
        changed = self._sync(g) or fresh
        if not any(s.startswith(SHIPPED) for s in g.sources):
            changed = self._add_shipped(g) or changed
        if changed:
            gallery_file.save(g, path)
        return g

    def _sync(self, g: ScreenGallery) -> bool:
        """Drop prototypes whose frame is gone from imgs/, add frames not yet in it."""
        root = dataset_dir(self.data_dir)
        on_disk = {f"{state}/{f.name}": f for state in UI_STATES for f in image_files(root / state)}
        have = {s.split("|", 1)[0] for s in g.sources if not s.startswith(SHIPPED)}
        gone = [s for s in have if s not in on_disk]
        for s in gone:
            g.remove_source(s + "|")
        new = sorted(set(on_disk) - have)
        frames: list[Image] = []
        names: list[str] = []
        for name in new:
            try:
                frames.append(small(read_frame(on_disk[name])))
                names.append(name)
            except ValueError as exc:
                self.notes.append(f"screen gallery: skipped {exc}")
        if frames:
            e = self.embedder.small_batch(np.stack(frames))
            for name, d, lay, p in zip(names, e.descriptors, e.layouts, e.predictions, strict=True):
                g.add(name.split("/", 1)[0], d, f"{name}|{p.state}", lay)
        return bool(gone or frames)

    def _add_shipped(self, g: ScreenGallery) -> bool:
        frames, states = shipped_frames()
        if not len(frames):
            return False
        e = self.embedder.small_batch(frames)
        for k, (s, d, lay) in enumerate(zip(states, e.descriptors, e.layouts, strict=True)):
            g.add(s, d, f"{SHIPPED}{k}", lay)
        return True

    def _load_dismissed(self) -> F32:
        frames: list[Image] = []
        for f in image_files(dataset_dir(self.data_dir) / UNKNOWN):
            try:
                frames.append(small(read_frame(f)))
            except ValueError as exc:
                self.notes.append(f"dismissed frames: skipped {exc}")
        if not frames:
            return np.zeros((0, 0), np.float32)
        return self.embedder.small_batch(np.stack(frames)).descriptors

    def _taught_states(self) -> set[str]:
        return {
            s
            for s, src in zip(self.gallery.states, self.gallery.sources, strict=True)
            if not src.startswith(SHIPPED)
        }

    def _active(self) -> ScreenGallery:
        """The prototypes in use: the user's, and the simulator's for states not taught."""
        g = self.gallery
        if self._active_cache is None:
            self._active_cache = g.subset(
                [
                    i
                    for i, (s, src) in enumerate(zip(g.states, g.sources, strict=True))
                    if not src.startswith(SHIPPED) or s not in self._taught
                ]
            )
        return self._active_cache

    # -- what is known --------------------------------------------------------------------
    def user_counts(self) -> dict[str, int]:
        out = dict.fromkeys(UI_STATES, 0)
        for s, src in zip(self.gallery.states, self.gallery.sources, strict=True):
            if not src.startswith(SHIPPED):
                out[s] += 1
        return out

    def untaught(self) -> list[str]:
        return [s for s, n in self.user_counts().items() if n == 0]

    def measure(self) -> Choice:
        """Gallery (leave-one-out over the user's frames) against the classifier's answers."""
        g = self.gallery
        user = [i for i, src in enumerate(g.sources) if not src.startswith(SHIPPED)]
        if not user:
            return Choice("model", 0, 0.0, 0.0)
        active = self._active()
        own = [active.sources.index(g.sources[i]) for i in user]  # each frame left out of the gallery
        lays = g.layouts[user] if g.has_layouts else None
        places = active.place(g.vectors[user], lays, own)
        right_g = sum(p.state == g.states[i] for p, i in zip(places, user, strict=True))
        right_m = sum(g.sources[i].rsplit("|", 1)[-1] == g.states[i] for i in user)
        n = len(user)
        by = "gallery" if right_g >= right_m else "model"
        return Choice(by, n, right_g / n, right_m / n)

    # -- reading and teaching ---------------------------------------------------------------
    def read(self, frame: Image) -> Reading:
        return self.read_small(small(frame)[None])[0]

    def read_small(self, smalls: Image) -> list[Reading]:
        e = self.embedder.small_batch(smalls)
        return self.decide(e.predictions, e.descriptors, e.layouts)

    def decide(self, preds: list[Prediction], descs: F32, layouts: F32 | None = None) -> list[Reading]:
        places = self._active().place(descs, layouts, agree=[p.state for p in preds])
        out: list[Reading] = []
        for p, pl in zip(preds, places, strict=True):
            # the classifier's unknowns still go to the user's own prototypes
            mine = p.state == UNKNOWN and pl.state in self._taught
            # the classifier's screen, where the user taught it, is vetoed when the gallery's
            # layout places the frame elsewhere: a placement both disagree on is unknown
            vetoed = p.state in self._taught and pl.best != p.state
            if self.choice.by == "gallery" or mine:
                out.append(Reading(pl.state, pl.confidence, "gallery", pl, p))
            elif vetoed:
                out.append(Reading(UNKNOWN, min(p.confidence, pl.confidence), "model", pl, p))
            else:
                out.append(Reading(p.state, p.confidence, "model", pl, p))
        return out

    def was_dismissed(self, desc: F32) -> bool:
        """Whether a description lies within a placing radius (MAX_DIST) of a frame the user
        answered "none of the 34"."""
        return bool(len(self.dismissed)) and float((1.0 - self.dismissed @ desc).min()) <= MAX_DIST

    def dismiss(self, frame: Image) -> Path:
        """Keep a frame the user answered "none of the 34" (PNG, atomic, in imgs/unknown/) and
        remember it: frames like it are not asked about again. Returns the file."""
        target = self._write(frame, UNKNOWN)
        d = self.embedder.small_batch(small(frame)[None]).descriptors
        self.dismissed = np.concatenate([self.dismissed.reshape(-1, d.shape[1]), d]).astype(np.float32)
        return target

    def _write(self, frame: Image, label: str, name: str | None = None) -> Path:
        ok, png = cv2.imencode(".png", frame)
        if not ok:
            raise ValueError("the frame does not encode as PNG")
        name = name or f"taught-{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 10**6:06d}.png"
        return add_frame(png.tobytes(), dataset_dir(self.data_dir), label, name)

    def teach(self, frame: Image, state: str, name: str | None = None) -> Path:
        """Keep the frame as a labelled frame of ``state`` (PNG, atomic) and as a prototype:
        the next frame is placed with it. Returns the file."""
        if state not in UI_STATES:
            raise ValueError(f"{state!r} is no screen state; one of {', '.join(UI_STATES)}")
        target = self._write(frame, state, name)
        e = self.embedder.small_batch(small(frame)[None])
        self.gallery.add(
            state, e.descriptors[0], f"{state}/{target.name}|{e.predictions[0].state}", e.layouts[0]
        )
        self._taught.add(state)
        self._active_cache = None
        gallery_file.save(self.gallery, gallery_path(self.data_dir))
        self.choice = self.measure()
        return target
