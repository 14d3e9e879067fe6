"""The play engine: a chart compiled into a timed touch plan, sent on absolute monotonic
deadlines from its own process, started in sync with the frames (docs/play.md)."""

from services.scriptor.play.compile import PlayOptions, compile_chart
from services.scriptor.play.performance import ladder_title
from services.scriptor.play.plan import PlanFrame, TouchOp, TouchPlan

__all__ = ["PlanFrame", "PlayOptions", "TouchOp", "TouchPlan", "compile_chart", "ladder_title"]
