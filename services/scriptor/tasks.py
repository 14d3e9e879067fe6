"""``start_scriptor`` (placeholder until the scriptor's issue): reads the task's device
(``ctx.device``) in a loop, reports the loop's state, applies live config and honours stop.
It does not recognise screens or play songs yet."""

from __future__ import annotations

from shared.config import ScriptorConfig
from shared.task_context import TaskContext

LOOP_S = 0.2


def start_scriptor(ctx: TaskContext[ScriptorConfig]) -> None:
    cfg = ctx.config
    device = ctx.device
    info = device.info
    kind = "simulated" if info.simulated else "real"
    ctx.log(f"placeholder scriptor: {kind} device {info.serial} ({info.detail}); no recognition or play yet")
    seen_mode = (cfg.mode, cfg.event)
    frame_no = 0
    while True:
        cfg = ctx.config  # live: re-read every loop
        if (cfg.mode, cfg.event) != seen_mode:
            seen_mode = (cfg.mode, cfg.event)
            ctx.log(f"mode now {cfg.mode.value}/{cfg.event.value}")
        frame = device.screencap()
        frame_no += 1
        ctx.state(
            loop=frame_no,
            screen="unknown (no recognition yet)",
            mode=cfg.mode.value,
            event=cfg.event.value,
            level=cfg.level.value,
            lobby=cfg.effective_lobby,
            frame_mean=round(float(frame.mean()), 1),
            device=device.info.serial,
            capture=device.info.capture,
        )
        if frame_no % 25 == 0:
            ctx.log(f"loop {frame_no}: still running ({cfg.mode.value})", "debug")
        if not cfg.is_repeat and frame_no >= cfg.MAX_SAME_STATE:
            ctx.log("is_repeat is off: one round done")
            return
        ctx.sleep(LOOP_S)
