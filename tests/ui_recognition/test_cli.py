"""``python -m services.recognition.ui``: classify (JSON lines), evaluate, import."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from services.recognition.ui.dataset import models_dir
from tests.ui_recognition.conftest import STATES, Tiny
from tests.ui_recognition.synthetic import layout_frame, write_dataset

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")} | {
        "AUTOBANG_DATA_DIR": str(data_dir)
    }
    return subprocess.run(
        [sys.executable, "-m", "services.recognition.ui", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_classify_prints_json_lines_with_the_data_dirs_model(tmp_path: Path, tiny: Tiny) -> None:
    mdir = models_dir(tmp_path)
    mdir.mkdir(parents=True)
    shutil.copy(tiny.dir / "banguinet.onnx", mdir / "banguinet.onnx")
    good = tmp_path / "f.png"
    cv2.imwrite(str(good), layout_frame(STATES[0], np.random.default_rng(2)))
    odd = tmp_path / "other.png"
    cv2.imwrite(str(odd), cv2.resize(layout_frame(STATES[2], np.random.default_rng(3)), (1280, 720)))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"nope")
    out = run(["classify", str(good), str(odd), str(broken)], tmp_path)
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert out.returncode == 1  # one frame did not decode
    assert lines[0]["file"] == str(good) and lines[0]["state"] == STATES[0]
    assert 0 < lines[0]["confidence"] <= 1 and set(lines[0]) == {"file", "state", "confidence"}
    assert lines[1]["state"] == STATES[2]
    assert "not a readable image" in lines[2]["error"]


def test_classify_refuses_a_corrupt_model(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"garbage")
    frame = tmp_path / "f.png"
    cv2.imwrite(str(frame), np.zeros((90, 160, 3), np.uint8))
    out = run(["classify", "--model", str(bad), str(frame)], tmp_path)
    assert out.returncode == 2 and "not a readable ONNX model" in out.stderr


def test_evaluate_and_import(tmp_path: Path, tiny: Tiny) -> None:
    data = tmp_path / "set"
    write_dataset(data, STATES, 2, seed=4)
    out = run(
        ["evaluate", "--data", str(data), "--model", str(tiny.dir / "banguinet.onnx"), "--unknowns", "20"],
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["known"] == 8 and rep["unknown"] == 20 and rep["known_accuracy"] >= 0.75
    src = tmp_path / "UI_imgs"
    src.mkdir()
    cv2.imwrite(str(src / "ready-001.png"), layout_frame("ready", np.random.default_rng(0)))
    out = run(["import", str(src)], tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout)["imported"] == {"ready": 1}
    assert (tmp_path / "ui_recognition" / "imgs" / "ready" / "ready-001.png").is_file()
