"""``workflow`` (placeholder until the workflow's issue): publishes the task's device's
(``ctx.device``) frames as ``image`` events (kind ``frame``) so the dashboard's colour picker
(``GET /api/workflow/color``) has something to measure. The modes' real work comes later."""

from __future__ import annotations

import cv2

from shared.config import WorkflowConfig
from shared.task_context import TaskContext

FRAME_S = 0.5


def workflow(ctx: TaskContext[WorkflowConfig]) -> None:
    cfg = ctx.config
    device = ctx.device
    ctx.log(f"placeholder workflow ({cfg.workflow_mode.value}): publishing frames of {device.info.serial}")
    n = 0
    while True:
        frame = device.screencap()
        ok, png = cv2.imencode(".png", frame)
        if not ok:
            raise RuntimeError("PNG encoding failed")
        n += 1
        info = device.info
        ctx.image(
            png.tobytes(),
            kind="frame",
            meta={"n": n, "source": info.serial, "simulated": info.simulated, "capture": info.capture},
        )
        ctx.state(frames=n, mode=cfg.workflow_mode.value)
        ctx.sleep(FRAME_S)
