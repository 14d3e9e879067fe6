"""A ``TouchPlan`` as text: minitouch commands, bangcheater commands, the first version's
``commands.sheet`` and a human summary."""

from __future__ import annotations

from services.scriptor.play.plan import TouchOp, TouchPlan
from shared.device.touch.space import IDENTITY, TouchSpace


def _op(op: TouchOp, space: TouchSpace, pressure: int | None) -> str:
    if op.kind == "u":
        return f"u {op.contact}"
    x, y = space.map(op.x, op.y)
    return f"{op.kind} {op.contact} {x} {y}" + ("" if pressure is None else f" {pressure}")


def render_minitouch(plan: TouchPlan, space: TouchSpace = IDENTITY, pressure: int = 50) -> str:
    """A minitouch script: each frame committed, ``w <ms>`` waits between frames (whole
    ms, the protocol's unit; the live sender times frames itself to the us)."""
    lines: list[str] = []
    clock: int | None = None  # the script's own time (us): the sum of its waits
    for f in plan.frames:
        at = plan.at_us(f)
        if clock is None:
            clock = at
        wait_ms = (at - clock) // 1000
        if wait_ms > 0:
            lines.append(f"w {wait_ms}")
            clock += wait_ms * 1000  # remainders carry over: no drift over a song
        lines.extend(_op(o, space, pressure) for o in f.ops)
        lines.append("c")
    return "\n".join(lines) + "\n"


def render_bangcheater(plan: TouchPlan, space: TouchSpace = IDENTITY) -> list[str]:
    """One message per frame (its d/m/u lines and ``c``), as the host sender writes them."""
    return ["".join(_op(o, space, None) + "\n" for o in f.ops) + "c\n" for f in plan.frames]


def render_sheet(plan: TouchPlan, space: TouchSpace = IDENTITY) -> str:
    """``commands.sheet``: ``b <us of the first command>``, then each frame's d/m/u lines
    after a ``t <us>`` sync point. Times are chart time: the device applies the correction
    and dilation it gets with ``t <send_us> <correction_us> <dilation>``; points in
    ``space`` (the display's pixels)."""
    if not plan.frames:
        return "b 0\n"
    lines = [f"b {plan.frames[0].t_us}"]
    for f in plan.frames:
        lines.append(f"t {f.t_us}")
        lines.extend(_op(o, space, None) for o in f.ops)
    return "\n".join(lines) + "\n"


def summary(plan: TouchPlan) -> str:
    parts = [
        f"{plan.notes} notes",
        f"{plan.gestures} gestures",
        f"{plan.contacts_used} contacts",
        f"{len(plan.frames)} frames",
        f"{plan.commands} commands",
        f"{plan.duration_us / 1e6:.3f} s",
        plan.performance + (f" ({plan.weight_title}, seed {plan.seed})" if plan.weight_title else ""),
    ]
    if plan.judgements:
        parts.append(" ".join(f"{k} {v}" for k, v in plan.judgements.items()))
    if plan.dilation_time != 1_000_000 or plan.correction_time:
        parts.append(f"dilation {plan.dilation_time}, correction {plan.correction_time} us")
    return ", ".join(parts) + "".join(f"; warning: {w}" for w in plan.warnings)
