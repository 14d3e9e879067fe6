"""The one reader of printed numbers (result card counts and score, the ready page's and
song select's levels, the result's "Lv. NN"): ink found relative to the paper (so light
grey leading zeros and a darker or brighter capture read alike), split into glyphs by
empty columns, each glyph matched with digits drawn in the system's sans fonts
(``shared.fonts``), regular and bold, at two sizes. No model and no download: the game
prints digits in a plain sans face; other faces are measured by
``scripts/bench_level_fonts.py`` (docs/recognition.md)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from shared.fonts import sans_fonts

Grey = npt.NDArray[np.uint8]
_FEAT_W, _FEAT_H = 16, 24
INK_RATIO = 0.9  # a pixel darker than this share of the paper's level is ink (light zeros ~0.82)
MIN_PAPER = 60  # grey level: below this the crop is no card at all
MIN_SCORE = 0.55  # a glyph less like every digit than this is not a digit
MIN_MARGIN = 0.03  # the best digit's lead over the best other digit
FLAT = 0.3  # a blob lower than this share of the tallest one is not (part of) a digit


def feature(glyph: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """A 0/1 glyph (cropped to its ink) as a unit vector: placed on a canvas at least 0.75
    of its height wide (a "1" stays narrow), resized, blurred, zero-mean."""
    h, w = glyph.shape
    cw = max(w, round(0.75 * h))
    canvas = np.zeros((h, cw), np.float32)
    x0 = (cw - w) // 2
    canvas[:, x0 : x0 + w] = glyph
    # The blur forgives a stroke a pixel off (the game's face is not the system's).
    g = cv2.GaussianBlur(cv2.resize(canvas, (_FEAT_W, _FEAT_H), interpolation=cv2.INTER_AREA), (3, 3), 0)
    g = g.reshape(-1) - g.mean()
    n = float(np.linalg.norm(g))
    return np.asarray(g / n if n > 0 else g, np.float32)


@lru_cache(maxsize=1)
def templates() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Digit features from every sans face, regular and emboldened, at two sizes."""
    feats, labels = [], []
    for path in sans_fonts():
        for size in (28, 40):
            font = ImageFont.truetype(str(path), size, index=0)
            for stroke in (0, 1):
                for d in range(10):
                    img = Image.new("L", (size * 2, size * 2), 0)
                    ImageDraw.Draw(img).text(
                        (size // 2, size // 4),
                        str(d),
                        fill=255,
                        font=font,
                        stroke_width=stroke,
                        stroke_fill=255,
                    )
                    a = np.asarray(img) > 127
                    ys, xs = np.nonzero(a)
                    feats.append(
                        feature(a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8))
                    )
                    labels.append(d)
    return np.stack(feats), np.asarray(labels, np.int64)


def ink_mask(grey: Grey) -> npt.NDArray[np.uint8] | None:
    """Ink pixels of a crop of a light card as 0/1; None when the crop is not light paper."""
    paper = float(np.percentile(grey, 90))
    if paper < MIN_PAPER:
        return None
    return (grey.astype(np.float32) < INK_RATIO * paper).astype(np.uint8)


def glyph_boxes(mask: npt.NDArray[np.uint8], height: int) -> list[tuple[int, int, int, int]]:
    """(x1, y1, x2, y2) of each glyph of about ``height`` px, left to right: runs of columns
    with ink (a glyph broken by a faint stroke stays whole), runs wider than a digit split
    at their faintest column (two digits touching by a pixel), each cut to its rows of ink.
    Pieces much shorter or taller than a digit (a rule, a speck) are dropped."""
    cols = mask.sum(axis=0)
    boxes: list[tuple[int, int, int, int]] = []
    x, w = 0, len(cols)
    while x < w:
        if not cols[x]:
            x += 1
            continue
        x1 = x
        while x < w and cols[x]:
            x += 1
        _cut(mask, cols, x1, x, height, boxes)
    return boxes


def _cut(
    mask: npt.NDArray[np.uint8],
    cols: npt.NDArray[np.int64],
    x1: int,
    x2: int,
    height: int,
    out: list[tuple[int, int, int, int]],
) -> None:
    rows = np.nonzero(mask[:, x1:x2].sum(axis=1))[0]
    y1, y2 = int(rows[0]), int(rows[-1]) + 1
    gh, gw = y2 - y1, x2 - x1
    if gw > 1.1 * max(gh, 1) and gw >= 6:
        lo, hi = x1 + gw // 4, x2 - gw // 4
        split = lo + int(np.argmin(cols[lo:hi]))
        _cut(mask, cols, x1, split, height, out)
        _cut(mask, cols, split + 1, x2, height, out)
        return
    if 0.6 * height <= gh <= 1.4 * height:
        out.append((x1, y1, x2, y2))


def classify(glyph: npt.NDArray[np.uint8]) -> int | None:
    """The digit a 0/1 glyph shows; None when it is unlike every digit or nearly as like two."""
    feats, labels = templates()
    scores = feats @ feature(glyph)
    best = int(labels[int(scores.argmax())])
    top = float(scores.max())
    runner_up = float(scores[labels != best].max())
    if top < MIN_SCORE or top - runner_up < MIN_MARGIN:
        return None
    return best


def read_digits(grey: Grey, height: int) -> str | None:
    """The digits printed in a grey crop of a light card, left to right; None when there
    is none or one glyph is not a digit."""
    mask = ink_mask(grey)
    if mask is None:
        return None
    boxes = glyph_boxes(mask, height)
    if not boxes:
        return None
    out = []
    for x1, y1, x2, y2 in boxes:
        d = classify(mask[y1:y2, x1:x2])
        if d is None:
            return None
        out.append(str(d))
    return "".join(out)


def read_number(
    grey: Grey, box: tuple[int, int, int, int], margin: int = 4, max_digits: int = 9
) -> int | None:
    """The number printed in ``box`` (x1, y1, x2, y2) of a grey frame, whatever its font
    size: the paper is the box's own median (the number covers less than half of it) and
    the box is widened by ``margin`` so a frame a few px off still holds the digits."""
    x1, y1, x2, y2 = box
    paper = float(np.median(grey[y1:y2, x1:x2]))
    if paper < MIN_PAPER:
        return None
    crop = grey[max(y1 - margin, 0) : y2 + margin, max(x1 - margin, 0) : x2 + margin]
    return read_mask((crop.astype(np.float32) < INK_RATIO * paper).astype(np.uint8), max_digits)


def read_mask(mask: npt.NDArray[np.uint8], max_digits: int = 9, drop_edges: bool = True) -> int | None:
    """The number a 0/1 ink mask shows, whatever its font size: the glyph height is the
    tallest blob's; with ``drop_edges`` ink touching the mask's border (a box edge, a
    neighbour a wider crop brought in) is ignored, unless it is digit-sized (a digit cut
    by the crop). None when there is no digit, more than ``max_digits``, a cut digit, or
    one glyph is not surely a digit (unsure beats wrong)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = mask.shape
    keep = np.zeros(n, bool)
    edge = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        inside = x > 0 and y > 0 and x + bw < w and y + bh < h
        keep[i] = area >= 4 and (inside or not drop_edges)
        edge[i] = area >= 4 and not inside and drop_edges
    if not keep.any():
        return None
    height = int(stats[keep, cv2.CC_STAT_HEIGHT].max())
    # Much flatter than a digit: a rule or a speck (a panel's edge under the number), which
    # would otherwise join the glyph above it.
    keep &= stats[:, cv2.CC_STAT_HEIGHT] >= FLAT * height
    # A digit-sized blob on the border is a digit cut by the crop: the number is not whole.
    for j in np.nonzero(edge)[0].tolist():
        bw, bh = int(stats[j, cv2.CC_STAT_WIDTH]), int(stats[j, cv2.CC_STAT_HEIGHT])
        if 0.6 * height <= bh <= 1.4 * height and bw <= 1.2 * height:
            return None
    kept = keep[labels].astype(np.uint8)
    boxes = glyph_boxes(kept, height)
    if not boxes or len(boxes) > max_digits:
        return None
    digits = [classify(kept[y1:y2, x1:x2]) for x1, y1, x2, y2 in boxes]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))
