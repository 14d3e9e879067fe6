"""``autobang inspect`` as users run it (a subprocess): one JSON object per frame on
stdout, the reader forced by --screen, exit 0 only when every frame was read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from services.simulator.screens import ResultCounts, ScreenView, render

ROOT = Path(__file__).resolve().parents[2]
COUNTS = ResultCounts(
    1012, 31, 5, 2, 1, 19, 12, combo=640, score=2345678, difficulty="hard", level=19, title="Orange"
)


def inspect(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AUTOBANG_DATA_DIR": str(tmp_path / "data"),
        "OMP_NUM_THREADS": "1",
    }
    p = subprocess.run(
        [sys.executable, "-m", "services.cli", "inspect", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    return p.returncode, [json.loads(line) for line in p.stdout.splitlines() if line.strip()], p.stderr


def test_a_result_and_a_ready_frame_are_read(tmp_path: Path) -> None:
    award = tmp_path / "award.png"
    cv2.imwrite(str(award), cv2.resize(render(ScreenView("award", result=COUNTS)), (1920, 1080)))
    rc, out, err = inspect(tmp_path, "--screen", "result", str(award))
    assert rc == 0, err
    (frame,) = out
    assert frame["file"] == str(award) and frame["size"] == [1920, 1080] and frame["read"] is True
    assert set(frame) >= {"state", "confidence", "result", "ready", "playing"}
    result = frame["result"]
    assert isinstance(result, dict)
    assert {k: result[k] for k in ("perfect", "great", "good", "bad", "miss", "fast", "slow")} == {
        "perfect": 1012, "great": 31, "good": 5, "bad": 2, "miss": 1, "fast": 19, "slow": 12,
    }  # fmt: skip
    assert (result["max_combo"], result["score"], result["difficulty"], result["level"]) == (
        640,
        2345678,
        "hard",
        19,
    )
    assert (result["song_id"], result["title"]) == (316, "Orange")

    ready = tmp_path / "ready.jpg"
    cv2.imwrite(str(ready), render(ScreenView("ready", live_mode="off", cut_in=True)))
    rc, out, err = inspect(tmp_path, "--screen", "ready", str(ready))
    assert rc == 0, err
    assert out[0]["ready"] == {"mode": "off", "cut_in": True, "difficulty": None, "level": None}


def test_frames_that_are_not_read_give_a_non_zero_exit(tmp_path: Path) -> None:
    main = tmp_path / "main.png"
    cv2.imwrite(str(main), render(ScreenView("main_page")))
    rc, out, _ = inspect(tmp_path, "--screen", "result", str(main))
    assert rc == 1 and out[0]["read"] is False and out[0]["result"]["perfect"] is None  # type: ignore[index]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    square = tmp_path / "square.png"
    cv2.imwrite(str(square), np.zeros((600, 600, 3), np.uint8))
    rc, out, _ = inspect(tmp_path, str(broken), str(square))
    assert rc == 2 and [o["read"] for o in out] == [False, False]
    assert "readable" in str(out[0]["error"]) and "16:9" in str(out[1]["error"])
