from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from shared.config.base import ModuleConfig, check_data_relative, ui

DataPath = Annotated[str, AfterValidator(check_data_relative)]


def _for(task: str, widget: str) -> dict[str, Any]:
    """Fields read at task start only, grouped under ``task`` in the dashboard."""
    return ui(widget, live=False, tasks=[task])


SONG_TRAIN, SONG_ADD = "train_song_recognition", "add_song"
UI_TRAIN, UI_ADD = "train_ui_recognition", "add_img"


class SongLoss(StrEnum):
    ArcFace = "ArcFace"
    Triplet = "Triplet"


class SongRecognitionConfig(ModuleConfig):
    is_load_model: bool = Field(True, json_schema_extra=_for(SONG_TRAIN, "toggle"))
    epoch: int = Field(20, ge=1, le=100, json_schema_extra=_for(SONG_TRAIN, "number"))
    num_batches: int = Field(32, ge=1, le=256, json_schema_extra=_for(SONG_TRAIN, "number"))
    batch_size: int = Field(64, ge=32, le=128, json_schema_extra=_for(SONG_TRAIN, "number"))
    # AdamW's peak rate (warm-up then cosine decay). The user's default is 0.01;
    # docs/recognition.md measured 0.003 as the better rate for training from scratch.
    learn_rate: float = Field(0.01, ge=0.0001, le=0.1, json_schema_extra=_for(SONG_TRAIN, "number"))
    loss: SongLoss = Field(SongLoss.ArcFace, json_schema_extra=_for(SONG_TRAIN, "one-of"))
    # add_song: where screenshots come from until the device layer exists (relative to the
    # data dir; absolute paths are refused to keep tasks inside it). The module's own folder,
    # so add_img (ui_recognition) never offers song screenshots for labelling.
    screenshot_dir: DataPath = Field("song_recognition/screenshots", json_schema_extra=_for(SONG_ADD, "text"))


class UIImageSource(StrEnum):
    Folder = "Folder"  # add_img labels the frames in screenshot_dir (the inbox, uploads)
    Device = "Device"  # add_img captures the emulator's screen, one frame per answer


class UIRecognitionConfig(ModuleConfig):
    # train_ui_recognition: start from the current model (the data dir's, else the shipped one).
    is_load_model: bool = Field(True, json_schema_extra=_for(UI_TRAIN, "toggle"))
    epoch: int = Field(20, ge=1, le=100, json_schema_extra=_for(UI_TRAIN, "number"))
    batch_size: int = Field(128, ge=32, le=128, json_schema_extra=_for(UI_TRAIN, "number"))
    # AdamW's peak rate (warm-up then cosine decay); the user's default. The shipped model
    # was trained at 0.003 (docs/recognition.md, UI recognition).
    learn_rate: float = Field(0.01, ge=0.0001, le=0.1, json_schema_extra=_for(UI_TRAIN, "number"))
    # add_img: the inbox the scriptor saves unknown and special screens into; the dashboard's
    # screenshot upload follows this folder (relative to the data dir).
    screenshot_dir: DataPath = Field("ui_recognition/inbox", json_schema_extra=_for(UI_ADD, "text"))
    image_source: UIImageSource = Field(UIImageSource.Folder, json_schema_extra=_for(UI_ADD, "one-of"))
    # add_img from a folder (a Workflow recording, UI_imgs): similar frames are asked about
    # together, one answer labels the group (services/recognition/ui/grouped.py).
    group_similar: bool = Field(True, json_schema_extra=_for(UI_ADD, "toggle"))
