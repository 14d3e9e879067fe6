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


class FrameFolder(StrEnum):
    """Where saved frames go and what WalkThrough browses (``shared.saved_frames``
    maps each to its folder in the data dir)."""

    ui_inbox = "ui_inbox"  # ui_recognition/inbox: frames waiting for a UI label
    song_screenshots = "song_screenshots"  # song_recognition/screenshots: for add_song
    records = "records"  # workflow/records: Record's sequences


class WorkflowConfig(ModuleConfig):
    workflow_mode: WorkflowMode = Field(WorkflowMode.Record, json_schema_extra=ui("one-of", live=False))
    # Capture / Record / Trace: frames per second asked of the device (the device may give fewer).
    frame_rate: float = Field(2.0, ge=0.2, le=30.0, json_schema_extra=ui("number"))
    record_duration_s: float = Field(10.0, ge=1.0, le=600.0, json_schema_extra=ui("number", live=False))
    frame_folder: FrameFolder = Field(FrameFolder.ui_inbox, json_schema_extra=ui("one-of", live=False))
    # Record stops, saying so, before the data dir's disk has less than this free.
    min_free_mb: int = Field(500, ge=0, le=100_000, json_schema_extra=ui("number", live=False))
    trace_duration_s: float = Field(20.0, ge=1.0, le=300.0, json_schema_extra=ui("number", live=False))
    # TraceNote / TraceFirstNote: save the refitted curve so the play engine uses it.
    save_coefficients: bool = Field(False, json_schema_extra=ui("toggle", live=False))
