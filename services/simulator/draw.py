"""Drawing helpers shared by the simulated screens and the playfield: colours from HSV,
text in OpenCV's Hershey font, panels and buttons. All images are 720x1280x3 uint8 BGR."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

from shared.playfield import HEIGHT, WIDTH, HsvRange

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX


def blank(colour: BGR) -> Frame:
    img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    img[:] = colour
    return img


def gradient(top: BGR, bottom: BGR) -> Frame:
    """A vertical gradient from ``top`` to ``bottom`` over the whole frame."""
    t = np.linspace(0.0, 1.0, HEIGHT, dtype=np.float32)[:, None, None]
    col = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.ascontiguousarray(np.broadcast_to(col, (HEIGHT, WIDTH, 3)).round().astype(np.uint8))


def hsv_to_bgr(hsv: tuple[int, int, int]) -> BGR:
    px = cv2.cvtColor(np.array([[hsv]], np.uint8), cv2.COLOR_HSV2BGR)[0, 0]
    return (int(px[0]), int(px[1]), int(px[2]))


def bgr_to_hsv(bgr: BGR) -> tuple[int, int, int]:
    px = cv2.cvtColor(np.array([[bgr]], np.uint8), cv2.COLOR_BGR2HSV)[0, 0]
    return (int(px[0]), int(px[1]), int(px[2]))


@lru_cache(maxsize=64)
def inside(r: HsvRange, shade: float = 0.5) -> BGR:
    """A BGR colour whose HSV (after the BGR round trip) lies inside ``r``: the range's
    centre, moved towards the low (shade 0) or high (1) value end. Raises if the round trip
    leaves the range, so a colour table that cannot be drawn fails at import."""
    h, s, _ = r.centre
    v = round(r.lo[2] + shade * (r.hi[2] - r.lo[2]))
    for dv in (0, 1, -1, 2, -2, 3, -3):
        bgr = hsv_to_bgr((h, s, min(255, max(0, v + dv))))
        if r.contains(bgr_to_hsv(bgr)):
            return bgr
    raise ValueError(f"no BGR colour round-trips into {r}")


def text(
    img: Frame,
    s: str,
    org: tuple[int, int],
    scale: float = 1.0,
    colour: BGR = (255, 255, 255),
    thickness: int = 2,
    *,
    centre: bool = False,
    font: int = FONT,
) -> None:
    """Latin text with its baseline at ``org`` (or centred on ``org``)."""
    x, y = org
    if centre:
        (w, h), _ = cv2.getTextSize(s, font, scale, thickness)
        x, y = x - w // 2, y + h // 2
    cv2.putText(img, s, (x, y), font, scale, colour, thickness, cv2.LINE_AA)


def fit_scale(s: str, max_w: int, max_h: int, thickness: int = 2, font: int = FONT) -> float:
    """The largest text scale (<= 1.2) at which ``s`` fits a max_w x max_h box."""
    (w, h), _ = cv2.getTextSize(s, font, 1.0, thickness)
    return max(0.3, min(1.2, max_w / max(w, 1), max_h / max(h, 1)))


def panel(
    img: Frame, box: tuple[int, int, int, int], fill: BGR, edge: BGR | None = None, width: int = 3
) -> None:
    x1, y1, x2, y2 = box
    cv2.rectangle(img, (x1, y1), (x2, y2), fill, -1)
    if edge is not None:
        cv2.rectangle(img, (x1, y1), (x2, y2), edge, width)


def dim(img: Frame, factor: float = 0.45) -> None:
    """Darken the whole frame in place (behind a modal)."""
    cv2.convertScaleAbs(img, img, alpha=factor)
