"""``TouchPlan``: what a compiled chart is - frames of touch commands, each frame one
commit, at microseconds of chart time (beat 0 = 0)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DILATION_ONE = 1_000_000  # dilation_time is chart-time scale x1e6


@dataclass(frozen=True)
class TouchOp:
    kind: Literal["d", "m", "u"]
    contact: int
    x: int = 0  # 1280x720 landscape frame; unused for "u"
    y: int = 0


@dataclass(frozen=True)
class PlanFrame:
    t_us: int  # chart time of the commit, performance offsets included
    ops: tuple[TouchOp, ...]


@dataclass(frozen=True)
class TouchPlan:
    frames: tuple[PlanFrame, ...]
    notes: int  # the chart's combo count
    gestures: int  # fingers put down (one per tap, flick, directional, long or slide)
    contacts_used: int
    dilation_time: int = DILATION_ONE
    correction_time: int = 0  # us added to every frame's time
    performance: str = "AllPerfect"
    weight_title: str | None = None
    seed: int = 0
    judgements: dict[str, int] = field(default_factory=dict)  # drawn per gesture (Custom/FC)
    dropped: int = 0  # gestures left out because every contact was busy
    warnings: tuple[str, ...] = ()

    def at_us(self, frame: PlanFrame) -> int:
        """When ``frame`` goes, in us from the moment chart time 0 reaches the judge line:
        chart time scaled by ``dilation_time`` x1e-6, shifted by ``correction_time``."""
        return frame.t_us * self.dilation_time // DILATION_ONE + self.correction_time

    def times_s(self) -> list[float]:
        """Every frame's send time in seconds after chart time 0 (see ``at_us``)."""
        return [self.at_us(f) / 1e6 for f in self.frames]

    @property
    def duration_us(self) -> int:
        return self.frames[-1].t_us - self.frames[0].t_us if self.frames else 0

    @property
    def commands(self) -> int:
        return sum(len(f.ops) for f in self.frames)
