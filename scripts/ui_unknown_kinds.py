"""Frames of no known screen for measuring rejection, by kind, drawn at 720x1280 the way a
capture would give them (then perturbed like the held-out frames).

This code is apart from the training generator (``services/recognition/ui/unknowns.py``)
on purpose: ``HELD_OUT`` kinds are drawn by nothing the model trains on, so their rejection
says how the model meets frames nobody generated for it; the other kinds resemble training
kinds but are drawn with other code and parameters."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from services.simulator.screens import sample_screen, sample_unknown
from shared.screens import UI_STATES

Frame = np.ndarray  # 720x1280x3 uint8 BGR
HEIGHT, WIDTH = 720, 1280
WORDS = ("Settings", "Wi-Fi", "Bluetooth", "Display", "Battery", "Storage", "Apps", "Sound",
         "Inbox", "Search", "News", "Weather", "Photos", "Music", "Today", "Account")  # fmt: skip
# A derived frame must differ from the known screen it came from by this mean level (a
# near-uniform screen cropped or rotated is still that screen).
MIN_CHANGE = 12.0


def _colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    c = rng.integers(lo, hi, 3)
    return int(c[0]), int(c[1]), int(c[2])


def _smooth_field(rng: np.random.Generator, cells: int) -> Frame:
    """Photo-like: a few random colours per cell, interpolated smoothly over the frame."""
    grid = rng.integers(0, 256, (cells, max(2, cells * 16 // 9), 3)).astype(np.uint8)
    img = cv2.resize(grid, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    return np.asarray(cv2.GaussianBlur(img, (0, 0), 6), np.uint8)


def other_app(rng: np.random.Generator) -> Frame:
    """Another app: a settings list, a mail inbox or a news page (light or dark theme)."""
    dark = rng.random() < 0.4
    bg = _colour(rng, 10, 50) if dark else _colour(rng, 225, 256)
    fg = (230, 230, 230) if dark else (30, 30, 30)
    img = np.full((HEIGHT, WIDTH, 3), bg, np.uint8)
    cv2.rectangle(img, (0, 0), (WIDTH, 36), (0, 0, 0) if dark else (200, 200, 200), -1)
    bar = _colour(rng)
    cv2.rectangle(img, (0, 36), (WIDTH, 36 + int(rng.integers(70, 120))), bar, -1)
    cv2.putText(img, str(rng.choice(WORDS)), (40, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255), 3)
    row = int(rng.integers(60, 110))
    y = 170
    thumbs = rng.random() < 0.5
    while y + row < HEIGHT:
        x = 40
        if thumbs:
            cv2.rectangle(img, (x, y + 8), (x + row - 16, y + row - 8), _colour(rng), -1)
            x += row + 10
        words = " ".join(str(w) for w in rng.choice(WORDS, int(rng.integers(1, 5))))
        cv2.putText(img, words, (x, y + row // 2 + 10), cv2.FONT_HERSHEY_SIMPLEX, 0.9, fg, 2)
        cv2.line(img, (40, y + row), (WIDTH - 40, y + row), (90, 90, 90) if dark else (210, 210, 210), 1)
        y += row
    return img


def desktop(rng: np.random.Generator) -> Frame:
    """An Android launcher: a photo-like wallpaper, a status bar, rounded icons, a dock."""
    img = _smooth_field(rng, int(rng.integers(2, 6)))
    cv2.rectangle(img, (0, 0), (WIDTH, 30), (0, 0, 0), -1)
    cv2.putText(img, "12:34", (20, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
    cols, rows = int(rng.integers(4, 8)), int(rng.integers(2, 4))
    size = int(rng.integers(70, 110))
    for i in range(cols):
        for k in range(rows):
            x, y = 80 + i * (WIDTH - 160) // cols, 80 + k * 170
            cv2.rectangle(img, (x, y), (x + size, y + size), _colour(rng), -1)
            cv2.putText(img, str(rng.choice(WORDS))[:6], (x, y + size + 24),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1)  # fmt: skip
    cv2.rectangle(img, (200, HEIGHT - 110), (WIDTH - 200, HEIGHT - 20), (60, 60, 60), -1)
    return img


def photo(rng: np.random.Generator) -> Frame:
    """Photo-like noise: a smooth colour field with grain, sometimes a blurred blob or two."""
    img = _smooth_field(rng, int(rng.integers(2, 12))).astype(np.float32)
    for _ in range(int(rng.integers(0, 4))):
        blob = np.zeros((HEIGHT, WIDTH), np.float32)
        c = (int(rng.integers(WIDTH)), int(rng.integers(HEIGHT)))
        cv2.circle(blob, c, int(rng.integers(60, 300)), 1.0, -1)
        soft = np.asarray(cv2.GaussianBlur(blob, (0, 0), 40), np.float32)[..., None]
        img = img * (1 - soft) + np.asarray(_colour(rng), np.float32) * soft
    img += rng.normal(0, float(rng.uniform(2, 20)), img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _known(rng: np.random.Generator) -> Frame:
    return sample_screen(str(rng.choice(UI_STATES)), rng)


def _changed(src: Frame, out: Frame) -> bool:
    return float(np.abs(out.astype(np.int16) - src.astype(np.int16)).mean()) >= MIN_CHANGE


def _derived(make: Callable[[Frame, np.random.Generator], Frame]) -> Callable[[np.random.Generator], Frame]:
    def draw(rng: np.random.Generator) -> Frame:
        for _ in range(50):
            src = _known(rng)
            out = make(src, rng)
            if _changed(src, out):
                return out
        raise RuntimeError("no derived frame differed from its source")

    return draw


def _partial(src: Frame, rng: np.random.Generator) -> Frame:
    """A screen half drawn: only the top (or left) 15-55 % is there, the rest one colour."""
    out = np.empty_like(src)
    out[:] = _colour(rng, 0, 60) if rng.random() < 0.7 else _colour(rng)
    if rng.random() < 0.5:
        k = int(HEIGHT * rng.uniform(0.15, 0.55))
        out[:k] = src[:k]
    else:
        k = int(WIDTH * rng.uniform(0.15, 0.55))
        out[:, :k] = src[:, :k]
    return out


def _crop(src: Frame, rng: np.random.Generator) -> Frame:
    """A zoom of 2.5-5x into a random part of a screen."""
    z = float(rng.uniform(2.5, 5.0))
    h, w = int(HEIGHT / z), int(WIDTH / z)
    y, x = int(rng.integers(0, HEIGHT - h)), int(rng.integers(0, WIDTH - w))
    return np.asarray(cv2.resize(src[y : y + h, x : x + w], (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR))


def _rotate(src: Frame, rng: np.random.Generator) -> Frame:
    """Upside down, or turned by 20-70 degrees either way (black corners)."""
    if rng.random() < 0.3:
        return np.ascontiguousarray(src[::-1, ::-1])
    angle = float(rng.uniform(20, 70)) * (1 if rng.random() < 0.5 else -1)
    m = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), angle, float(rng.uniform(0.8, 1.2)))
    return np.asarray(cv2.warpAffine(src, m, (WIDTH, HEIGHT)), np.uint8)


# kind -> generator; HELD_OUT kinds resemble nothing the training generator draws.
KINDS: dict[str, Callable[[np.random.Generator], Frame]] = {
    "simulator_other": sample_unknown,  # the simulator's menus, launcher, blank, shapes
    "other_app": other_app,
    "desktop": desktop,
    "photo": photo,
    "partial": _derived(_partial),
    "crop": _derived(_crop),
    "rotate": _derived(_rotate),
}
HELD_OUT = ("simulator_other", "other_app", "desktop")
