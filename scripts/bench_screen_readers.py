"""The result reader's accuracy and time on the simulator's result screens (the real
layout) at 1280x720, 1600x900, 1920x1080 and as a darker JPEG; and, when the package
``rapidocr_onnxruntime`` is importable (not a dependency: ``pip install
rapidocr-onnxruntime==1.4.4``, whose wheel ships its models), the same number fields read
by RapidOCR's recogniser on the same crops, for comparison. One CPU thread.

    .venv/bin/python scripts/bench_screen_readers.py [--frames 20]

Prints numbers; docs/recognition.md records them."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

cv2.setNumThreads(1)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.recognition.screen.frame import to_reference  # noqa: E402
from services.recognition.screen.result import NUMBER_FIELDS, read_result  # noqa: E402
from services.simulator.screens import ScreenView, render, sample_result  # noqa: E402
from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all  # noqa: E402
from shared.screen_facts import COOP_OFFSET, RESULT_FIELDS, shifted  # noqa: E402

Frame = npt.NDArray[np.uint8]


def variants(img: Frame) -> dict[str, Frame]:
    ok, buf = cv2.imencode(
        ".jpg", np.clip(img * 0.65, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 75]
    )
    assert ok
    return {
        "1280x720": img,
        "1600x900": np.asarray(cv2.resize(img, (1600, 900), interpolation=cv2.INTER_CUBIC)),
        "1920x1080": np.asarray(cv2.resize(img, (1920, 1080), interpolation=cv2.INTER_CUBIC)),
        "darker JPEG": np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)),
    }


def rapidocr() -> Callable[[Frame, bool], dict[str, int | None]] | None:
    try:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]  # optional: compared only where installed
    except ImportError:
        return None
    engine = RapidOCR()

    def read(frame: Frame, coop: bool) -> dict[str, int | None]:
        ref = to_reference(frame)
        out: dict[str, int | None] = {}
        for name in NUMBER_FIELDS:
            x1, y1, x2, y2 = shifted(RESULT_FIELDS[name], COOP_OFFSET if coop else (0, 0))
            res, _ = engine(ref[y1 - 2 : y2 + 2, x1 - 2 : x2 + 2], use_det=False, use_cls=False, use_rec=True)
            text = re.sub(r"\D", "", res[0][0]) if res else ""
            out[name] = int(text) if text else None
        return out

    return read


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    songs = tuple(load_songs_all(SHIPPED_SONGS_ALL).values())
    rng = np.random.default_rng(args.seed)
    screens = [sample_result(rng) for _ in range(args.frames)]
    read_result(render(ScreenView("award", result=screens[0])), songs)  # warm templates
    ocr = rapidocr()
    stats: dict[str, dict[str, Any]] = {}
    for counts in screens:
        want = {k: getattr(counts, "combo" if k == "max_combo" else k) for k in NUMBER_FIELDS}
        for name, frame in variants(render(ScreenView("award", result=counts))).items():
            s = stats.setdefault(
                name, {"fields": 0, "exact": 0, "titles": 0, "ms": [], "ocr_exact": 0, "ocr_ms": []}
            )
            t0 = time.perf_counter()
            r = read_result(frame, songs)
            s["ms"].append((time.perf_counter() - t0) * 1000)
            s["fields"] += len(want)
            s["exact"] += sum(r.numbers()[k] == v for k, v in want.items())
            s["titles"] += r.title == counts.title
            if ocr is not None:
                t0 = time.perf_counter()
                got = ocr(frame, counts.coop)
                s["ocr_ms"].append((time.perf_counter() - t0) * 1000)
                s["ocr_exact"] += sum(got[k] == v for k, v in want.items())
    for name, s in stats.items():
        line = (
            f"{name:<12} glyph reader: {s['exact']}/{s['fields']} numbers exact, "
            f"{s['titles']}/{len(screens)} titles, median {np.median(s['ms']):.0f} ms/frame"
        )
        if ocr is not None:
            ocr_ms = np.median(s["ocr_ms"])
            line += f"; RapidOCR: {s['ocr_exact']}/{s['fields']} numbers, median {ocr_ms:.0f} ms/frame"
        print(line)
    print(json.dumps({k: {"exact": v["exact"], "fields": v["fields"]} for k, v in stats.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
