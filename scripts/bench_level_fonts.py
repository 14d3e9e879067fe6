"""Level numbers read in several fonts (docs/recognition.md, "Levels in other fonts").

The simulated ready page is drawn with its level in each installed font (scenario key
``level_font``), levels 1..35, as drawn and as a darker 1600x900 JPEG capture, and read by
the two readers that use the one number reader (``services.recognition.screen.glyphs``):
the ready page's (``ready_song``, at the real level box) and the song recogniser's twin
check (``song.levels`` on the level row). Per font: right / unread / WRONG (a wrong level
is what plays the wrong twin; unread only skips). Fonts whose digits are among the
reader's templates (``shared.fonts.SANS_FILES``) are marked.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_level_fonts.py
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from services.recognition.screen.ready_song import read_ready_song
from services.recognition.song.levels import read_level
from services.recognition.song.preprocess import level_crop
from services.simulator.screens import ScreenView, SongCard, render
from shared.fonts import SANS_FILES, font_file
from shared.title_render import render_title

FONTS = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJK-Bold.ttc",
    "ipag.ttf",
    "ipagp.ttf",
    "ipam.ttf",
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-ExtraLight.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono.ttf",
    "LiberationSans-Regular.ttf",
)


def darker_jpeg(img: np.ndarray) -> np.ndarray:
    small = cv2.resize(img, (1600, 900), interpolation=cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(
        ".jpg", np.clip(small * 0.65, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 75]
    )
    assert ok
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", type=int, default=35, help="levels 1..N")
    args = ap.parse_args()
    title = render_title("オレンジ")
    head = ("font", "tmpl", "ready page: right/unread/WRONG", "level row: right/unread/WRONG")
    print(f"{head[0]:28} {head[1]:4} | {head[2]:>32} | {head[3]:>31}")
    t0 = time.perf_counter()
    for name in FONTS:
        try:
            font_file(name)
        except ValueError:
            print(f"{name:28} (not installed)")
            continue
        tally = {"ready": [0, 0, 0], "row": [0, 0, 0]}
        for level in range(1, args.levels + 1):
            frame = render(ScreenView("ready", frozenset(), song=SongCard(1, title, {3: level}, 3, name)))
            for capture in (frame, darker_jpeg(frame)):
                for reader, got in (
                    ("ready", read_ready_song(capture).level),
                    ("row", read_level(level_crop(cv2.resize(capture, (1280, 720)), 0))),
                ):
                    tally[reader][0 if got == level else 1 if got is None else 2] += 1
        cells = ["/".join(str(v) for v in tally[r]) for r in ("ready", "row")]
        print(f"{name:28} {'yes' if name in SANS_FILES else 'no':4} | {cells[0]:>32} | {cells[1]:>31}")
    print(f"({2 * args.levels} readings per font and reader; {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
