"""Read a real result capture at 1600x900, 1280x720, 1920x1080 and as a darker JPEG, and
print field by field what was read against the truth.

    .venv/bin/python scripts/measure_real.py FRAME --truth frames.json

``--truth`` is a JSON object of the fields (perfect .. miss, fast, slow, max_combo, score,
difficulty, level, title), or a list of {"file", "truth"} entries where the one whose
"file" is FRAME's name is used. The capture is only read (third-party pictures stay out
of the repository). Exit 0 when every field of every variant was read exactly."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

cv2.setNumThreads(1)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.recognition.screen.result import NUMBER_FIELDS, read_result  # noqa: E402
from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all, shave  # noqa: E402

FIELDS = (*NUMBER_FIELDS, "difficulty", "level", "title")
DARKER, JPEG_QUALITY = 0.65, 75


def variants(img: npt.NDArray[np.uint8]) -> dict[str, npt.NDArray[np.uint8]]:
    def sized(w: int, h: int) -> npt.NDArray[np.uint8]:
        shrink = w < img.shape[1]
        return np.asarray(
            cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC), np.uint8
        )

    ok, buf = cv2.imencode(
        ".jpg", np.clip(img * DARKER, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return {
        "1600x900": sized(1600, 900),
        "1280x720": sized(1280, 720),
        "1920x1080": sized(1920, 1080),
        f"darker x{DARKER} JPEG q{JPEG_QUALITY}": np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8),
    }


def truth_for(frame: Path, raw: Any) -> dict[str, Any]:
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict) and entry.get("file") == frame.name:
                return dict(entry["truth"])
        raise SystemExit(f"{frame.name} is not in the truth list")
    if not isinstance(raw, dict):
        raise SystemExit("truth must be a JSON object or a list of {file, truth}")
    return raw


def same(field: str, want: Any, got: Any) -> bool:
    if field == "title":
        return got is not None and shave(str(want)) == shave(str(got))
    if field == "difficulty":
        return got is not None and str(want).lower() == str(got).lower()
    return bool(want == got)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("frame", type=Path)
    ap.add_argument("--truth", type=Path, required=True)
    args = ap.parse_args()
    raw = cv2.imread(str(args.frame), cv2.IMREAD_COLOR)
    if raw is None:
        raise SystemExit(f"{args.frame}: not a readable image")
    img = np.asarray(raw, np.uint8)
    truth = truth_for(args.frame, json.loads(args.truth.read_text(encoding="utf-8")))
    songs = list(load_songs_all(SHIPPED_SONGS_ALL).values())
    read_result(img, songs)  # warm the templates and title drawings
    exact = True
    for name, frame in variants(img).items():
        t0 = time.perf_counter()
        r = read_result(frame, songs).as_dict()
        ms = (time.perf_counter() - t0) * 1000
        wrong = [f for f in FIELDS if f in truth and not same(f, truth[f], r[f])]
        exact &= not wrong
        print(
            f"== {name}: {len(FIELDS) - len(wrong)}/{len(FIELDS)} exact, {ms:.0f} ms, "
            f"panel {r['panel']}, song_id {r['song_id']}"
        )
        for f in FIELDS:
            if f in truth:
                mark = "ok" if f not in wrong else "WRONG"
                print(f"   {f:<11} truth {truth[f]!s:<14} read {r[f]!s:<14} {mark}")
    print("all exact" if exact else "NOT all exact")
    return 0 if exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
