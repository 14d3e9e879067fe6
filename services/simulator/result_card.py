"""The result screen's card as the real game lays it out (``shared.screen_facts``): a white
rounded card on the right with the score, coloured PERFECT..MISS labels and their four-digit
zero-padded counts (light grey leading zeros, dark significant digits), FAST/SLOW pills,
the MAX COMBO box; a bar across the top with the difficulty badge, the title and "Lv. NN".
The co-op card is the solo one shifted by COOP_OFFSET. Text is drawn in a system sans face
(``shared.fonts``), as the game prints it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from services.simulator.draw import BGR, Frame
from shared.fonts import sans_fonts
from shared.screen_facts import (
    COOP_OFFSET,
    COUNT_DIGITS,
    DIFFICULTY_BADGE,
    DIFFICULTY_BGR,
    LEVEL_REGION,
    MAX_COMBO_BOX,
    RESULT_CARD,
    RESULT_FIELDS,
    RESULT_LABEL_AT,
    RESULT_LABELS,
    TITLE_REGION,
    TOP_BAR,
    Box,
    shifted,
)

PAPER: BGR = (255, 255, 255)
DARK: BGR = (70, 70, 70)  # significant digits, title
LIGHT_ZERO: BGR = (212, 212, 212)  # leading zeros
SCORE_PINK: BGR = (130, 60, 235)
LABEL_BGR: dict[str, BGR] = {
    "perfect": (200, 160, 250),
    "great": (170, 60, 240),
    "good": (40, 200, 120),
    "bad": (230, 90, 40),
    "miss": (150, 140, 140),
}
PILL_BGR: dict[str, BGR] = {"fast": (240, 160, 40), "slow": (20, 110, 250)}
DIGIT_PX, SCORE_PX, LEVEL_PX, TITLE_PX = 29, 35, 24, 29  # font sizes: ink heights 21/25/17/21


@dataclass(frozen=True)
class ResultCard:
    counts: dict[str, int]  # perfect .. miss, fast, slow, max_combo
    score: int
    difficulty: str | None = None  # easy .. special; None: no top bar
    level: int = 0
    title: str = ""
    coop: bool = False


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    files = sans_fonts()
    pick = next((f for f in files if "Bold" in f.name), files[0]) if bold else files[0]
    return ImageFont.truetype(str(pick), size, index=0)


def _rgb(c: BGR) -> tuple[int, int, int]:
    return (c[2], c[1], c[0])


def _rounded(draw: ImageDraw.ImageDraw, box: Box, fill: BGR, r: int = 12, edge: BGR | None = None) -> None:
    draw.rounded_rectangle(box, r, fill=_rgb(fill), outline=_rgb(edge) if edge else None, width=2)


def _number(
    draw: ImageDraw.ImageDraw, box: Box, value: int, size: int, padded: bool, colour: BGR = DARK
) -> None:
    """Right-aligned in ``box``, vertically centred; padded: four digits, leading zeros light."""
    s = str(max(0, value))
    if padded:
        if len(s) > COUNT_DIGITS:
            raise ValueError(f"{value} does not fit {COUNT_DIGITS} digits")
        zeros, s = "0" * (COUNT_DIGITS - len(s)), s
    else:
        zeros = ""
    font = _font(size)
    x2 = box[2] - 6
    y = (box[1] + box[3]) // 2
    draw.text((x2, y), s, fill=_rgb(colour), font=font, anchor="rm")
    if zeros:
        w = draw.textlength(s, font=font)
        draw.text((x2 - w, y), zeros, fill=_rgb(LIGHT_ZERO), font=font, anchor="rm")


def draw_badge(draw: ImageDraw.ImageDraw, box: Box, difficulty: str) -> None:
    """The difficulty badge (result bar, ready page): its colour, its name in white."""
    _rounded(draw, box, DIFFICULTY_BGR[difficulty], 4)
    bx1, by1, bx2, by2 = box
    draw.text(
        ((bx1 + bx2) // 2, (by1 + by2) // 2),
        difficulty.upper(),
        fill=(255, 255, 255),
        font=_font(19),
        anchor="mm",
    )


def draw_result_card(img: Frame, card: ResultCard) -> None:
    """Draws ``card`` onto the award screen ``img`` (in place)."""
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    off = COOP_OFFSET if card.coop else (0, 0)
    if card.difficulty is not None:
        _rounded(draw, TOP_BAR, PAPER, 10)
        draw.ellipse((104, 26, 132, 54), fill=_rgb((200, 140, 250)))
        draw_badge(draw, DIFFICULTY_BADGE, card.difficulty)
        tx1, ty1, _, ty2 = TITLE_REGION
        draw.text((tx1 + 5, (ty1 + ty2) // 2), card.title, fill=_rgb(DARK), font=_font(TITLE_PX), anchor="lm")
        lx2, ly = LEVEL_REGION[2] - 10, (LEVEL_REGION[1] + LEVEL_REGION[3]) // 2
        draw.text((lx2, ly), f"Lv. {card.level}", fill=_rgb(DARK), font=_font(LEVEL_PX), anchor="rm")
    _rounded(draw, shifted(RESULT_CARD, off), PAPER, 14)
    cx1, cy1 = RESULT_CARD[0] + off[0], RESULT_CARD[1] + off[1]
    draw.text((cx1 + 55, cy1 + 36), "得分", fill=_rgb(DARK), font=_font(24), anchor="lm")
    for x in range(cx1 + 35, cx1 + 500, 10):  # the dotted rule under the score
        draw.ellipse((x, cy1 + 92, x + 3, cy1 + 95), fill=(215, 215, 215))
    _number(draw, shifted(RESULT_FIELDS["score"], off), card.score, SCORE_PX, False, SCORE_PINK)
    for name, label in RESULT_LABELS.items():
        lx, ly = RESULT_LABEL_AT[name]
        lx, ly = lx + off[0], ly + off[1]
        if name in LABEL_BGR:
            draw.text((lx, ly), label, fill=_rgb(LABEL_BGR[name]), font=_font(27, bold=True), anchor="lm")
            draw.line((lx, ly + 18, lx + 230, ly + 18), fill=(205, 205, 205), width=2)
        elif name in PILL_BGR:
            draw.rounded_rectangle((lx, ly - 11, lx + 128, ly + 11), 11, fill=_rgb(PILL_BGR[name]))
            draw.text((lx + 64, ly), label, fill=(255, 255, 255), font=_font(18, bold=True), anchor="mm")
            draw.line((lx + 10, ly + 18, lx + 220, ly + 18), fill=(205, 205, 205), width=2)
        else:  # MAX COMBO: a dark header over a white box
            mx1, my1, mx2, my2 = shifted(MAX_COMBO_BOX, off)
            draw.rounded_rectangle(
                (mx1, my1, mx2, my2), 6, fill=(255, 255, 255), outline=(110, 110, 110), width=2
            )
            draw.rounded_rectangle((mx1, my1, mx2, my1 + 24), 6, fill=(90, 90, 90))
            draw.text(
                ((mx1 + mx2) // 2, my1 + 12),
                label,
                fill=(255, 255, 255),
                font=_font(16, bold=True),
                anchor="mm",
            )
        _number(draw, shifted(RESULT_FIELDS[name], off), card.counts[name], DIGIT_PX, True)
    img[:] = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)
