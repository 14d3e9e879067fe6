"""``workflow`` (placeholder until the workflow's issue): publishes the simulated device's
frames as ``image`` events (kind ``frame``) so the dashboard's colour picker
(``GET /api/workflow/color``) has something to measure. The modes' real work comes later."""

from __future__ import annotations

import cv2

from shared.config import WorkflowConfig
from shared.device import SimulatedDevice
from shared.task_context import TaskContext

FRAME_S = 0.5


def workflow(ctx: TaskContext[WorkflowConfig]) -> None:
    cfg = ctx.config
    device = SimulatedDevice(ctx.data_dir / "screenshots")
    ctx.log(f"placeholder workflow ({cfg.workflow_mode.value}): publishing simulated frames")
    n = 0
    while True:
        frame = device.screencap()
        ok, png = cv2.imencode(".png", frame)
        if not ok:
            raise RuntimeError("PNG encoding failed")
        n += 1
        source = device.current_file.name if device.current_file else "generated"
        ctx.image(png.tobytes(), kind="frame", meta={"n": n, "source": source})
        ctx.state(frames=n, mode=cfg.workflow_mode.value)
        ctx.sleep(FRAME_S)
