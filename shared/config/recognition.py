from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from shared.config.base import ModuleConfig, check_data_relative, ui

DataPath = Annotated[str, AfterValidator(check_data_relative)]


class SongLoss(StrEnum):
    ArcFace = "ArcFace"
    Triplet = "Triplet"


class SongRecognitionConfig(ModuleConfig):
    is_load_model: bool = Field(True, json_schema_extra=ui("toggle", live=False))
    epoch: int = Field(20, ge=1, le=100, json_schema_extra=ui("number", live=False))
    num_batches: int = Field(32, ge=1, le=256, json_schema_extra=ui("number", live=False))
    batch_size: int = Field(64, ge=32, le=128, json_schema_extra=ui("number", live=False))
    # AdamW's peak rate (warm-up then cosine decay); 0.003 is what docs/recognition.md measured.
    learn_rate: float = Field(0.003, ge=0.0001, le=0.1, json_schema_extra=ui("number", live=False))
    loss: SongLoss = Field(SongLoss.ArcFace, json_schema_extra=ui("one-of", live=False))
    # add_song: where screenshots come from until the device layer exists (relative to the
    # data dir; absolute paths are refused to keep tasks inside it).
    screenshot_dir: DataPath = Field("screenshots", json_schema_extra=ui("text", live=False))


class UIRecognitionConfig(ModuleConfig):
    is_load_model: bool = Field(True, json_schema_extra=ui("toggle", live=False))
    epoch: int = Field(20, ge=1, le=100, json_schema_extra=ui("number", live=False))
    batch_size: int = Field(128, ge=32, le=128, json_schema_extra=ui("number", live=False))
    learn_rate: float = Field(0.01, ge=0.0001, le=0.1, json_schema_extra=ui("number", live=False))
    screenshot_dir: DataPath = Field("screenshots", json_schema_extra=ui("text", live=False))
