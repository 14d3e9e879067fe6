"""End to end: both song_recognition tasks through the real stack (``autobang up``: gateway,
Redis, RQ workers), driven over the REST API like the dashboard; the interactive add is
answered by the test through POST /api/song_recognition/reply."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest

from services.recognition.song.store import list_titles, read_gray
from services.testing.stack import Stack, start, wait_state
from shared.title_render import render_title
from tests.recognition.screens import screenshot

pytestmark = pytest.mark.stack

WAIT_S = 180.0  # generous: the machine is shared; nothing here asserts speed
MODULE = "song_recognition"


def wait(s: Stack, pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return wait_state(s.url, MODULE, pred, WAIT_S, s.log)


def prompt_of(s: Stack, job: str) -> dict[str, Any]:
    st = wait(
        s, lambda st: st["job_id"] == job and (st.get("prompt") or st["status"] in ("finished", "failed"))
    )
    assert st.get("prompt"), st
    return dict(st["prompt"])


def answer(s: Stack, prompt: dict[str, Any], ans: str, text: str | None = None) -> None:
    body = {"answer": ans, "text": text, "prompt_id": prompt["prompt_id"]}
    resp = httpx.post(f"{s.url}/api/{MODULE}/reply", json=body, timeout=10)
    assert resp.status_code == 200, resp.text


def test_song_tasks_through_the_worker(stack: Stack, title_dir: Path, tiny_model: Path) -> None:
    root = stack.data_dir / "song_recognition"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(title_dir, root / "title_imgs")
    (root / "title_imgs" / "t-41.png").unlink()
    (root / "models").mkdir(parents=True)
    shutil.copy(tiny_model, root / "models" / "titlenet.onnx")
    shots = stack.data_dir / "e2e_song_shots"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir()
    cv2.imwrite(str(shots / "1_new.png"), screenshot(read_gray(title_dir / "t-41.png"), region=0))
    cv2.imwrite(str(shots / "2_other.png"), screenshot(render_title("最後の一枚"), region=1))

    job = start(stack.url, MODULE, "add_song", {"screenshot_dir": "e2e_song_shots"})
    p = prompt_of(stack, job)
    assert p["options"] == ["Yes", "No", "Drop", "Stop"] and "1_new.png" in p["prompt"]
    answer(stack, p, "No", "41")
    p2 = prompt_of(stack, job)
    assert p2["prompt_id"] != p["prompt_id"] and "2_other.png" in p2["prompt"]
    answer(stack, p2, "Stop")
    done = wait(stack, lambda st: st["job_id"] == job and st["status"] in ("finished", "failed", "stopped"))
    assert done["status"] == "finished", done
    assert 41 in list_titles(root / "title_imgs")
    assert "41]" in (root / "feature_vectors.json").read_text()

    before = (root / "models" / "titlenet.onnx").read_bytes()
    cfg = {"is_load_model": False, "epoch": 1, "num_batches": 2, "batch_size": 32, "loss": "Triplet"}
    job = start(stack.url, MODULE, "train_song_recognition", cfg)
    done = wait(stack, lambda st: st["job_id"] == job and st["status"] in ("finished", "failed", "stopped"))
    assert done["status"] == "finished", done
    assert done["progress"]["done"] == done["progress"]["total"] == 2
    assert (root / "models" / "titlenet.onnx").read_bytes() == before  # two steps never beat it
