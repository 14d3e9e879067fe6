from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared.config.base import ModuleConfig, ui


class WorkflowMode(StrEnum):
    WalkThrough = "WalkThrough"
    WalkThroughSheet = "WalkThroughSheet"
    Capture = "Capture"
    Record = "Record"
    TraceNote = "TraceNote"
    TraceFirstNote = "TraceFirstNote"


class WorkflowConfig(ModuleConfig):
    workflow_mode: WorkflowMode = Field(WorkflowMode.Record, json_schema_extra=ui("one-of", live=False))
