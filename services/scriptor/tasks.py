"""``start_scriptor``: the game loop that plays for the user (``loop.Scriptor``) on the
task's device, with the UI classifier, the song recogniser and the play engine
(``wiring.build_tools``)."""

from __future__ import annotations

from services.scriptor.loop import Scriptor
from services.scriptor.timings import Timings
from services.scriptor.wiring import build_tools
from shared.config import ScriptorConfig
from shared.settings import get_settings
from shared.task_context import TaskContext


def start_scriptor(ctx: TaskContext[ScriptorConfig]) -> None:
    info = ctx.device.info
    kind = "the simulated game" if info.simulated else "the game"
    ctx.log(f"scriptor on {kind} ({info.serial}, capture {info.capture})")
    ctx.state(device=info.serial)  # which history rows are this device's (a device switcher)
    timings = Timings(device_retries_s=get_settings().scriptor_device_retries_s)
    Scriptor(ctx, build_tools(ctx), timings).run()
