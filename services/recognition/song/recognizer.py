"""SongRecognizer: title crop (or screenshot) -> song id, with the user's names.

Retrieval is TitleNet's embedding (ONNX Runtime, no torch): cosine against the gallery.
The top few candidates are then checked by the classical correlation (classical.py) on
their reference crops; that check decides acceptance, so a song outside the gallery comes
back as None rather than as its nearest neighbour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from services.recognition.song import gallery as gal
from services.recognition.song.classical import (
    VerifyRef,
    blur_mask,
    box_feature,
    prepare_query,
    prepare_ref,
    text_box,
    verify,
    verify_prepared,
)
from services.recognition.song.meta import EMBED_DIM
from services.recognition.song.onnx_model import OnnxEmbedder
from services.recognition.song.preprocess import (
    SCREEN_SIZE,
    H,
    W,
    crop_mask,
    level_crop,
    model_input,
    title_crops,
    to_gray,
)
from services.recognition.song.store import list_titles, load_title_images, read_gray, title_id

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "titlenet.onnx"
# Acceptance: the learned cosine must be plausible and the classical correlation with the
# candidate's reference high. Chosen from the evaluation (docs/recognition.md).
MIN_COSINE = 0.5
MIN_CORRELATION = 0.74
# The embedding's candidates are re-ranked and verified in widening rounds: the first 5,
# then (only when none of those verifies) the first 20, then 50.
RERANK_ROUNDS: tuple[int, ...] = (5, 20, 50)
FIRST_RERANK, RERANK = RERANK_ROUNDS[0], RERANK_ROUNDS[-1]
FINE = 3  # per round, how many more get the strip-wise check
SAME_PICTURE = 0.97  # references this alike are the same picture (identical titles)


@dataclass
class Candidate:
    id: int
    cosine: float  # learned similarity (retrieval)
    correlation: float  # classical box-aligned correlation (re-rank)
    verified: float | None = None  # shift-searched strip correlation, for those checked


@dataclass
class Match:
    id: int | None  # None: nothing matched confidently (or ambiguous and unresolved)
    score: float  # the chosen candidate's correlation with its reference
    cosine: float  # its learned cosine similarity
    margin: float  # score minus the runner-up's score (different picture)
    candidates: list[Candidate] = field(default_factory=list)
    ambiguous: list[int] = field(default_factory=list)  # same-picture songs, if any
    level: int | None = None
    region: int | None = None  # which title region of a screenshot matched
    reason: str = ""
    best: int | None = None  # the best candidate, even when not confident enough

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "cosine": self.cosine,
            "margin": self.margin,
            "candidates": [c.__dict__ for c in self.candidates],
            "ambiguous": self.ambiguous,
            "level": self.level,
            "region": self.region,
            "best": self.best,
            "reason": self.reason,
        }


class SongRecognizer:
    """``SongRecognizer(title_dir=..., gallery_path=..., model_path=None)``; None = the
    shipped default model. The gallery is loaded (or built, or re-embedded when it was made
    by another model) on construction. ``levels``: song id -> {difficulty: level} from the
    catalog, used to tell identical titles apart."""

    def __init__(
        self,
        title_dir: Path | str,
        gallery_path: Path | str,
        model_path: Path | str | None = None,
        *,
        levels: Mapping[int, Mapping[int, int]] | None = None,
        threads: int = 1,
        min_correlation: float = MIN_CORRELATION,
        min_cosine: float = MIN_COSINE,
    ) -> None:
        self.title_dir = Path(title_dir)
        self.gallery_path = Path(gallery_path)
        self.embedder = OnnxEmbedder(Path(model_path) if model_path is not None else DEFAULT_MODEL, threads)
        self.levels = dict(levels) if levels is not None else None
        self.min_correlation = min_correlation
        self.min_cosine = min_cosine
        self._ref_cache: dict[int, _Reference] = {}
        try:
            self.gallery = gal.load(self.gallery_path)
        except FileNotFoundError:
            self.gallery = gal.Gallery([], np.zeros((0, EMBED_DIM), np.float32), self.embedder.model_id)
            if self.title_dir.is_dir() and list_titles(self.title_dir):
                self.build_gallery()
        if self.gallery.model_id != self.embedder.model_id and len(self.gallery):
            self.build_gallery()  # vectors from another model are meaningless here

    # --- the user's API -------------------------------------------------------------
    def build_gallery(self) -> int:
        """Embed every t-<id>.png of title_dir into the gallery; returns the count."""
        ids, imgs = load_title_images(self.title_dir)
        vecs = self._embed(imgs)
        self.gallery = gal.Gallery(ids, vecs, self.embedder.model_id)
        self._ref_cache.clear()
        gal.save(self.gallery, self.gallery_path)
        return len(ids)

    def get_feature(self, gray: npt.NDArray[np.generic]) -> npt.NDArray[np.float32]:
        """Unit 128-d vector of a crop (of the best-matching title region of a screenshot)."""
        crops = title_crops(gray)
        if len(crops) > 1:
            region = self.match(gray).region
            crops = [crops[region or 0]]
        return np.asarray(self._embed(crops[0][None])[0], dtype=np.float32)

    def add_song(self, path: Path | str, song_id: int | None = None) -> int:
        """Add a crop file as a new song without retraining: the id comes from the
        t-<id>.png name or ``song_id``; an id already in the gallery is refused."""
        src = Path(path)
        sid = song_id if song_id is not None else title_id(src)
        if sid is None:
            raise ValueError(f"{src.name}: name it t-<id>.png or pass song_id")
        if sid < 0:
            raise ValueError(f"song id must be >= 0, got {sid}")
        if sid in self.gallery:
            raise ValueError(f"song {sid} is already in the gallery")
        gray = read_gray(src)
        if gray.shape != (H, W):
            if gray.shape != SCREEN_SIZE:
                raise ValueError(f"{src}: expected a {W}x{H} title crop, got {gray.shape[1]}x{gray.shape[0]}")
            gray = title_crops(gray)[0]
        return self.add_crop(gray, sid)

    def add_crop(self, gray: npt.NDArray[np.uint8], song_id: int) -> int:
        import cv2

        if song_id in self.gallery:
            raise ValueError(f"song {song_id} is already in the gallery")
        vec = self._embed(gray[None])[0]
        dest = self.title_dir / f"t-{song_id}.png"
        ok, buf = cv2.imencode(".png", gray)
        if not ok:
            raise ValueError("could not encode the crop as PNG")
        from shared.atomic_write import write_atomic

        write_atomic(dest, buf.tobytes())
        self.gallery.add(song_id, vec)
        gal.save(self.gallery, self.gallery_path, appended=1)
        return song_id

    def get_id(self, gray: npt.NDArray[np.generic]) -> int | None:
        return self.match(gray).id

    def match(self, gray: npt.NDArray[np.generic], *, level: int | None = None) -> Match:
        """The full answer: id (or None), score, margin, top candidates, ambiguity."""
        img = to_gray(gray)
        crops = title_crops(img)
        best: Match | None = None
        for region, crop in enumerate(crops):
            m = self._match_crop(crop)
            m.region = region if len(crops) > 1 else None
            if best is None or m.score > best.score:
                best = m
        assert best is not None
        if best.ambiguous:
            lv = level
            if lv is None and img.shape == SCREEN_SIZE and best.region is not None:
                from services.recognition.song.levels import read_level

                lv = read_level(level_crop(img, best.region))
            best.level = lv
            if lv is not None and self.levels is not None:
                from services.recognition.song.levels import resolve_by_level

                fits = resolve_by_level(best.ambiguous, lv, self.levels)
                if len(fits) == 1:
                    best.id = fits[0]
                    best.reason = f"identical titles {best.ambiguous}; level {lv} fits {fits[0]}"
                    return best
            best.id = None
            best.reason = f"identical titles {best.ambiguous}; level {lv} does not decide"
        return best

    # --- internals ----------------------------------------------------------------------
    def _embed(self, imgs: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        x, _ = model_input(imgs)
        return self.embedder(x)

    def _reference(self, song_id: int) -> _Reference:
        """A gallery song's reference crop, prepared once (on first use, so that loading
        stays fast for any gallery size) and kept: box feature and verification data."""
        f = self._ref_cache.get(song_id)
        if f is None:
            mask, _ = crop_mask(read_gray(self.title_dir / f"t-{song_id}.png"))
            box = text_box(mask)
            f = _Reference(box_feature(mask, box), prepare_ref(mask, box))
            self._ref_cache[song_id] = f
        return f

    def _match_crop(self, crop: npt.NDArray[np.uint8]) -> Match:
        if not len(self.gallery):
            return Match(None, 0.0, 0.0, 0.0, reason="the gallery is empty")
        mask, has_text = crop_mask(crop)  # the binarised crop, shared by the three stages
        if not has_text:
            return Match(None, 0.0, 0.0, 0.0, reason="no text in the crop")
        # 1. Retrieval: the learned embedding's top RERANK songs, best first.
        cos = self.gallery.vectors @ self.embedder.embed_one(mask)
        k = min(RERANK_ROUNDS[-1], len(cos))
        top = np.argpartition(-cos, k - 1)[:k] if k < len(cos) else np.arange(k)
        top = top[np.argsort(-cos[top], kind="stable")]
        box = text_box(mask)
        qbox = box_feature(mask, box)
        q = prepare_query(blur_mask(mask), has_ink=True, box=box)
        # 2-3. Re-rank the first few by the classical box-aligned correlation and verify in
        # that order (shift-searched, strip-wise correlation with the reference; at most
        # FINE new ones per round, the first that passes wins). Only when none passes is
        # the re-rank widened (RERANK_ROUNDS): a clear match costs one verification.
        cands: list[Candidate] = []
        refs: list[_Reference] = []
        first: Candidate | None = None
        edges = [min(n, k) for n in RERANK_ROUNDS]
        for lo, hi in zip([0, *edges[:-1]], edges, strict=True):
            if hi <= lo:
                continue
            new = [self._reference(self.gallery.ids[t]) for t in top[lo:hi].tolist()]
            corr = np.stack([r.box for r in new]) @ qbox
            refs += new
            cands += [
                Candidate(self.gallery.ids[t], float(cos[t]), float(c))
                for t, c in zip(top[lo:hi].tolist(), corr.tolist(), strict=True)
            ]
            order = sorted(range(len(cands)), key=lambda i: -cands[i].correlation)  # stable: ties by cosine
            cands, refs = [cands[i] for i in order], [refs[i] for i in order]
            budget = FINE  # new verifications this round
            for c, r in zip(cands, refs, strict=True):
                if budget == 0 or (c.verified or 0.0) >= self.min_correlation:
                    break
                if c.verified is None:
                    c.verified = verify_prepared(q, r.verify, enough=self.min_correlation)
                    budget -= 1
                    if c.verified >= self.min_correlation:
                        break
            first = max((c for c in cands if c.verified is not None), key=lambda c: c.verified or 0.0)
            if (first.verified or 0.0) >= self.min_correlation:
                break
        assert first is not None
        score = first.verified or 0.0
        # Identical pictures (same title, different songs) have identical box features.
        ref0 = refs[cands.index(first)]
        same = [
            c
            for c, r in zip(cands, refs, strict=True)
            if c is not first
            and abs(c.correlation - first.correlation) < 0.02
            and float(verify(ref0.verify.blurred, r.verify.blurred[None])[0]) >= SAME_PICTURE
        ]
        others = [c for c in cands if c is not first and c not in same]
        runner = max(((c.verified if c.verified is not None else c.correlation) for c in others), default=0.0)
        m = Match(first.id, score, first.cosine, score - runner, cands, best=first.id)
        if score < self.min_correlation or first.cosine < self.min_cosine:
            m.id = None
            m.reason = f"no confident match (verified {score:.3f}, cosine {first.cosine:.3f})"
        elif same:
            m.ambiguous = sorted([first.id, *(c.id for c in same)])
        return m


@dataclass(frozen=True)
class _Reference:
    box: npt.NDArray[np.float32]  # box-aligned feature (re-rank)
    verify: VerifyRef
