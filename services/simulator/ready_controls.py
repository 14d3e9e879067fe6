"""The ready screen's live-mode button and 3D cut-in checkbox as the real game draws them
(``shared.screen_facts``): a round button with circling arrows at MODE_BUTTON on a white
pill, its label right of it (3D: pink outline lettering; MV: a filled pink square with a
play triangle; OFF: plain dark text), and, only while the mode is OFF, the cut-in checkbox
(pink with a tick when on, grey when off); while 3D or MV is on, member avatars sit there."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from services.simulator.draw import Frame
from shared.fonts import sans_fonts
from shared.screen_facts import CUT_IN_BUTTON, MODE_BUTTON

PINK = (240, 70, 130)  # RGB
PILL = (104, 613, 318, 682)  # the white pill behind the button and its label
CONTROLS = (96, 600, 660, 695)  # the part of the screen this module draws


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(sans_fonts()[0]), size, index=0)


def draw_ready_controls(img: Frame, mode: str, cut_in: bool) -> None:
    """Draws the controls for ``mode`` ("3d", "mv", "off") and ``cut_in`` onto ``img``."""
    x1, y1, x2, y2 = CONTROLS
    pil = Image.fromarray(cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2RGB))
    d = ImageDraw.Draw(pil)

    def at(x: int, y: int) -> tuple[int, int]:
        return (x - x1, y - y1)

    px1, py1, px2, py2 = PILL
    d.rounded_rectangle(
        (*at(px1, py1), *at(px2, py2)), 34, fill=(255, 255, 255), outline=(215, 215, 215), width=2
    )
    bx, by = at(*MODE_BUTTON)
    d.ellipse((bx - 30, by - 30, bx + 30, by + 30), fill=(240, 240, 240), outline=(200, 200, 200), width=2)
    d.arc((bx - 14, by - 14, bx + 14, by + 14), 200, 330, fill=(90, 90, 90), width=4)
    d.arc((bx - 14, by - 14, bx + 14, by + 14), 20, 150, fill=(90, 90, 90), width=4)
    if mode == "3d":
        d.rounded_rectangle((*at(187, 624), *at(231, 666)), 8, outline=PINK, width=2)
        d.text(at(209, 637), "3D", fill=PINK, font=_font(18), anchor="mm")
        d.text(at(209, 656), "演出", fill=PINK, font=_font(11), anchor="mm")
        d.text(at(240, 647), "演奏", fill=(60, 60, 60), font=_font(22), anchor="lm")
    elif mode == "mv":
        d.rounded_rectangle((*at(187, 628), *at(231, 664)), 6, fill=PINK)
        cx, cy = at(209, 646)
        d.polygon([(cx - 7, cy - 10), (cx - 7, cy + 10), (cx + 10, cy)], fill=(255, 255, 255))
        d.text(at(240, 647), "动画MV", fill=(60, 60, 60), font=_font(22), anchor="lm")
    else:
        d.text(at(190, 647), "OFF", fill=(60, 60, 60), font=_font(24), anchor="lm")
    cx, cy = at(*CUT_IN_BUTTON)
    if mode == "off":
        fill = PINK if cut_in else (200, 200, 200)
        d.rounded_rectangle(
            (cx - 18, cy - 18, cx + 18, cy + 18), 6, fill=fill, outline=(255, 255, 255), width=2
        )
        if cut_in:
            d.line([(cx - 9, cy), (cx - 2, cy + 8), (cx + 10, cy - 8)], fill=(255, 255, 255), width=4)
        d.text((cx + 28, cy), "3D Cut-in", fill=(255, 255, 255), font=_font(20), anchor="lm")
    else:  # the members' avatars
        for i, rgb in enumerate(((250, 210, 180), (200, 170, 230), (180, 220, 250))):
            ax = cx - 10 + 50 * i
            d.ellipse((ax - 20, cy - 20, ax + 20, cy + 20), fill=rgb, outline=(255, 255, 255), width=2)
    img[y1:y2, x1:x2] = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)
