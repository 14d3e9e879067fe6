"""A game that is not the simulator: 34 screens of another look (palettes, layouts, text
drawn here, seeded), to measure what the screen gallery does on screens the shipped network
never saw (scripts/bench_ui_gallery.py, tests/ui_recognition/test_gallery.py).

Like the real game, screens come in families that share a backdrop and header (the award
screens, the story screens, ...) and differ by a button row, a dialog or a panel; each frame
of a screen changes its texts, its picture area and its counters, moves by a few pixels, and
is captured with brightness, noise and JPEG. Unknown screens are further families drawn by
the same rules (``unknown_frame``): no known layout, same style."""

from __future__ import annotations

import string
from dataclasses import dataclass

import cv2
import numpy as np

from shared.screens import UI_STATES

W, H = 320, 180  # drawn at a quarter of 1280x720; the classifiers resize to 160x90 anyway
FAMILY_SIZE = (1, 2, 3, 4)
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Element:
    kind: str  # panel, button, text, picture, dialog, bar
    box: tuple[int, int, int, int]  # x, y, w, h
    colour: Colour
    label: str = ""


@dataclass(frozen=True)
class Layout:
    top: Colour
    bottom: Colour
    vertical: bool
    elements: tuple[Element, ...]


def _colour(rng: np.random.Generator) -> Colour:
    c = rng.integers(0, 256, 3)
    return int(c[0]), int(c[1]), int(c[2])


def _word(rng: np.random.Generator, n: int = 0) -> str:
    k = n or int(rng.integers(3, 9))
    return "".join(rng.choice(list(string.ascii_uppercase), k))


def _box(rng: np.random.Generator, wmin: int, wmax: int, hmin: int, hmax: int) -> tuple[int, int, int, int]:
    w, h = int(rng.integers(wmin, wmax)), int(rng.integers(hmin, hmax))
    return int(rng.integers(0, W - w)), int(rng.integers(0, H - h)), w, h


def _base(rng: np.random.Generator) -> list[Element]:
    els: list[Element] = []
    if rng.random() < 0.8:  # header bar
        els.append(Element("bar", (0, 0, W, int(rng.integers(16, 34))), _colour(rng), _word(rng)))
    for _ in range(int(rng.integers(1, 4))):
        els.append(Element("panel", _box(rng, 60, 200, 30, 110), _colour(rng)))
    if rng.random() < 0.6:
        els.append(Element("picture", _box(rng, 40, 120, 30, 90), _colour(rng)))
    return els


def _own(rng: np.random.Generator) -> list[Element]:
    """What tells a screen from its family: a button row, a dialog, a panel with text."""
    kind = int(rng.integers(3))
    if kind == 0:
        n = int(rng.integers(1, 4))
        y = int(rng.integers(110, 160))
        x0 = int(rng.integers(10, 120))
        return [
            Element("button", (x0 + i * 70, y, 60, 18), _colour(rng), _word(rng, int(rng.integers(2, 6))))
            for i in range(n)
        ]
    if kind == 1:
        return [Element("dialog", _box(rng, 150, 240, 70, 120), _colour(rng), _word(rng))]
    return [
        Element("panel", _box(rng, 50, 140, 25, 70), _colour(rng)),
        Element("text", _box(rng, 60, 120, 12, 16), _colour(rng), _word(rng)),
    ]


def layouts(seed: int, n: int) -> list[Layout]:
    """``n`` screen layouts in families (a family: one backdrop and base, each member its
    own distinguishing elements)."""
    rng = np.random.default_rng(seed)
    out: list[Layout] = []
    while len(out) < n:
        top, bottom, vertical = _colour(rng), _colour(rng), bool(rng.random() < 0.5)
        base = _base(rng)
        for _ in range(int(rng.choice(FAMILY_SIZE))):
            if len(out) < n:
                out.append(Layout(top, bottom, vertical, tuple(base + _own(rng))))
    return out


def _jitter(
    box: tuple[int, int, int, int], rng: np.random.Generator, px: int = 2
) -> tuple[int, int, int, int]:
    x, y, w, h = box
    dx, dy = rng.integers(-px, px + 1, 2)
    return int(x + dx), int(y + dy), w, h


def render(layout: Layout, rng: np.random.Generator) -> np.ndarray:
    """One frame of the layout: texts, picture and counters new, elements moved a little,
    then captured (brightness, noise, JPEG). 180x320 BGR uint8."""
    t = np.linspace(0, 1, H if layout.vertical else W, dtype=np.float32)
    a, b = np.array(layout.top, np.float32), np.array(layout.bottom, np.float32)
    ramp = a[None] * (1 - t[:, None]) + b[None] * t[:, None]
    img = np.ascontiguousarray(
        np.broadcast_to(ramp[:, None] if layout.vertical else ramp[None], (H, W, 3)), dtype=np.uint8
    )
    for e in layout.elements:
        x, y, w, h = _jitter(e.box, rng)
        ink = (255, 255, 255) if sum(e.colour) < 380 else (20, 20, 20)
        if e.kind == "bar":
            cv2.rectangle(img, (0, 0), (W, h), e.colour, -1)
            cv2.putText(img, e.label, (8, h - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.4, ink, 1, cv2.LINE_AA)
            cv2.putText(
                img, str(int(rng.integers(0, 99999))), (W - 70, h - 5), cv2.FONT_HERSHEY_PLAIN, 0.8, ink, 1
            )
        elif e.kind == "panel":
            cv2.rectangle(img, (x, y), (x + w, y + h), e.colour, -1)
            for k in range(int(rng.integers(0, 3))):  # changing lines of text in it
                cv2.putText(img, _word(rng), (x + 4, y + 12 + 11 * k), cv2.FONT_HERSHEY_PLAIN, 0.7, ink, 1)
        elif e.kind == "picture":  # a song jacket, a character: different every time
            x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
            pic = rng.integers(0, 256, (3, 4, 3)).astype(np.uint8)
            img[y0:y1, x0:x1] = cv2.resize(pic, (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
        elif e.kind == "button":
            cv2.rectangle(img, (x, y), (x + w, y + h), e.colour, -1)
            cv2.rectangle(img, (x, y), (x + w, y + h), ink, 1)
            cv2.putText(img, e.label, (x + 5, y + h - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.35, ink, 1, cv2.LINE_AA)
        elif e.kind == "dialog":
            img[:] = (img * 0.55).astype(np.uint8)  # the dimmed screen behind a dialog
            cv2.rectangle(img, (x, y), (x + w, y + h), e.colour, -1)
            cv2.putText(img, e.label, (x + 8, y + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, ink, 1, cv2.LINE_AA)
            cv2.putText(img, _word(rng, 12), (x + 8, y + 36), cv2.FONT_HERSHEY_PLAIN, 0.8, ink, 1)
            cv2.rectangle(img, (x + w // 2 - 25, y + h - 22), (x + w // 2 + 25, y + h - 6), ink, 1)
        else:  # text
            cv2.putText(img, e.label, (x, y + h), cv2.FONT_HERSHEY_SIMPLEX, 0.45, e.colour, 1, cv2.LINE_AA)
    return capture(img, rng)


def capture(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    f = img.astype(np.float32) * float(rng.uniform(0.88, 1.12)) + rng.normal(
        0, float(rng.uniform(0, 6)), img.shape
    )
    out = np.clip(f, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 96))])
        back = cv2.imdecode(enc, cv2.IMREAD_COLOR) if ok else None
        if back is not None:
            return np.asarray(back, np.uint8)
    return out


class ForeignGame:
    """The 34 states (in UI_STATES order) and a pool of unknown screens of one seed."""

    def __init__(self, seed: int = 0, unknown_layouts: int = 40) -> None:
        lay = layouts(seed, len(UI_STATES) + unknown_layouts)
        self.states = dict(zip(UI_STATES, lay[: len(UI_STATES)], strict=True))
        self.unknown = lay[len(UI_STATES) :]

    def frame(self, state: str, rng: np.random.Generator) -> np.ndarray:
        return render(self.states[state], rng)

    def unknown_frame(self, rng: np.random.Generator) -> np.ndarray:
        return render(self.unknown[int(rng.integers(len(self.unknown)))], rng)
