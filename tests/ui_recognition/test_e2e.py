"""Both ui_recognition tasks through the real stack (``autobang up``: gateway, Redis, RQ
workers), driven over the REST API like the dashboard."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from services.recognition.ui.dataset import INBOX, dataset_dir, models_dir
from services.testing.stack import Stack, start, wait_state
from tests.ui_recognition.synthetic import layout_frame, write_dataset

pytestmark = pytest.mark.stack

WAIT_S = 180.0  # generous: the machine is shared; nothing here asserts speed
MODULE = "ui_recognition"


def wait(s: Stack, pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return wait_state(s.url, MODULE, pred, WAIT_S, s.log)


def test_ui_tasks_through_the_worker(real_stack: Stack) -> None:
    stack = real_stack
    root = stack.data_dir / "ui_recognition"
    shutil.rmtree(root, ignore_errors=True)
    write_dataset(dataset_dir(stack.data_dir), ["ready", "main_page"], 4)
    inbox = stack.data_dir / INBOX
    inbox.mkdir(parents=True)
    cv2.imwrite(str(inbox / "shot.png"), layout_frame("ready", np.random.default_rng(9)))

    job = start(stack.url, MODULE, "add_img", {"screenshot_dir": INBOX})
    st = wait(stack, lambda st: st["job_id"] == job and (st.get("prompt") or st["status"] == "failed"))
    prompt = st["prompt"]
    assert prompt["options"] == ["Yes", "No", "Drop", "Stop"] and "shot.png" in prompt["prompt"]
    body = {"answer": "No", "text": "ready", "prompt_id": prompt["prompt_id"]}
    assert httpx.post(f"{stack.url}/api/{MODULE}/reply", json=body, timeout=10).status_code == 200
    done = wait(stack, lambda st: st["job_id"] == job and st["status"] in ("finished", "failed", "stopped"))
    assert done["status"] == "finished", done
    assert (dataset_dir(stack.data_dir) / "ready" / "shot.png").is_file() and not any(inbox.iterdir())

    cfg = {"is_load_model": False, "epoch": 1, "batch_size": 32}
    job = start(stack.url, MODULE, "train_ui_recognition", cfg)
    done = wait(stack, lambda st: st["job_id"] == job and st["status"] in ("finished", "failed", "stopped"))
    assert done["status"] == "finished", done
    assert done["progress"]["done"] == done["progress"]["total"] == 1
    assert {"loss", "val_acc"} <= set(done["progress"]["metrics"])
    # Trained on 2 of the 34 screens the shipped model knows: kept aside with its reason,
    # never replacing the model the scriptor uses (issue 19).
    assert not (models_dir(stack.data_dir) / "banguinet.onnx").exists()
    (aside,) = (models_dir(stack.data_dir) / "rejected").iterdir()
    assert any(aside.glob("*.onnx")), list(aside.iterdir())
    assert "32 screen(s) the current model knows" in (aside / "reason.txt").read_text()
