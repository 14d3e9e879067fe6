"""Reading printed numbers from a screen crop: level numbers under a title, judgement
counts on the result screen.

Digits are separated as connected blobs and matched against digit templates rendered
from the system's fonts (the game prints numbers in a plain sans font), so no model is
needed and new fonts only widen the template set."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

_T_H, _T_W = 30, 20
MIN_SCORE = 0.6  # a blob less like every template than this is not a digit
MIN_MARGIN = 0.03  # best digit's lead over the best other digit


def normalise_glyph(mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    g = cv2.resize(mask.astype(np.float32), (_T_W, _T_H), interpolation=cv2.INTER_AREA).reshape(-1)
    g -= g.mean()
    n = float(np.linalg.norm(g))
    return np.asarray(g / n if n > 0 else g, dtype=np.float32)


@lru_cache(maxsize=1)
def templates() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    from shared.title_render import system_fonts

    feats, labels = [], []
    for face in system_fonts():
        for size in (20, 26):
            font = face.load(size)
            for stroke in (0, 1):  # regular and bold prints
                for d in range(10):
                    img = Image.new("L", (48, 48), 0)
                    draw = ImageDraw.Draw(img)
                    draw.text((8, 4), str(d), fill=255, font=font, stroke_width=stroke, stroke_fill=255)
                    a = np.asarray(img) > 127
                    ys, xs = np.nonzero(a)
                    glyph = a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8)
                    feats.append(normalise_glyph(glyph))
                    labels.append(d)
    return np.stack(feats), np.asarray(labels)


def ink_mask(gray: npt.NDArray[np.uint8], paper: float | None = None) -> npt.NDArray[np.uint8]:
    """Text pixels of a crop as 0/1 by Otsu's threshold (after a 3x3 median against
    capture noise). The text is darker than ``paper`` (the grey level of the box the
    number is printed in) when that is light, lighter when it is dark; without ``paper``
    the text is the minority polarity."""
    smooth = cv2.medianBlur(np.ascontiguousarray(gray), 3)
    t, binary = cv2.threshold(smooth, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light_text = binary.mean() < 0.5 if paper is None else paper < t
    return (binary if light_text else 1 - binary).astype(np.uint8)


_BOX = (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)


def _inside(s: npt.NDArray[np.int32], shape: tuple[int, ...]) -> bool:
    x, y, w, h = (int(s[k]) for k in _BOX)
    return x > 0 and y > 0 and x + w < shape[1] and y + h < shape[0]


def read_digits(
    mask: npt.NDArray[np.uint8], *, max_digits: int = 9, min_height: int = 8, drop_edges: bool = False
) -> str | None:
    """The digits of a 0/1 ink mask, left to right; None when a blob is not a digit or
    there is no digit at all. ``drop_edges`` ignores blobs touching the crop's border
    (a box edge or a neighbour that a shifted frame pushed into the crop)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = sorted(
        (
            s
            for s in stats[1:n]
            if s[cv2.CC_STAT_AREA] >= 8
            and s[cv2.CC_STAT_HEIGHT] >= min_height
            and (not drop_edges or _inside(s, mask.shape))
        ),
        key=lambda s: int(s[cv2.CC_STAT_LEFT]),
    )
    if not blobs or len(blobs) > max_digits:
        return None
    feats, labels = templates()
    out = []
    for s in blobs:
        x, y, w, h = (int(s[k]) for k in _BOX)
        scores = feats @ normalise_glyph(mask[y : y + h, x : x + w])
        best = int(labels[int(scores.argmax())])
        runner_up = float(scores[labels != best].max())
        # Unsure beats wrong: a blob nearly as like another digit is not read.
        if scores.max() < MIN_SCORE or scores.max() - runner_up < MIN_MARGIN:
            return None
        out.append(str(best))
    return "".join(out)


def read_number(
    gray: npt.NDArray[np.uint8], box: tuple[int, int, int, int], *, max_digits: int = 9, margin: int = 6
) -> int | None:
    """The number printed in ``box`` (x1, y1, x2, y2) of a grey frame. The box is widened
    by ``margin`` so a frame shifted by a few pixels still holds the whole number; what
    the widening brings in at the border is ignored."""
    x1, y1, x2, y2 = box
    h, w = gray.shape[:2]
    crop = gray[max(y1 - margin, 0) : min(y2 + margin, h), max(x1 - margin, 0) : min(x2 + margin, w)]
    mask = ink_mask(crop, paper=float(np.median(gray[y1:y2, x1:x2])))
    digits = read_digits(mask, max_digits=max_digits, drop_edges=True)
    return int(digits) if digits else None
