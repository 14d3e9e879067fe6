"""``/api/workflow``: ``/color``, the colour of one pixel of the workflow's latest frame (BGR
and HSV) for picking thresholds in the dashboard; ``/frames``, saving the frame shown
(Capture's save button) and listing the saved frames WalkThrough browses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import cv2
import numpy as np
from fastapi import APIRouter, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from services.gateway.context import Gateway, GatewayDep
from services.gateway.errors import ERRORS
from services.gateway.models import ColorResponse
from services.workflow import frames
from shared import keys
from shared.config import WorkflowConfig
from shared.config.workflow import FrameFolder
from shared.runtime.context import png_size

router = APIRouter(prefix="/api/workflow", responses=ERRORS, tags=["workflow"])


@router.get("/color", response_model=ColorResponse)
def get_color(
    gw: GatewayDep, x: int = Query(..., ge=0), y: int = Query(..., ge=0), kind: str = "frame"
) -> ColorResponse:
    png = gw.rb.get(keys.image_key("workflow", kind))
    if png is None:
        raise HTTPException(404, "workflow has published no frame yet: start the workflow task")
    frame = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise HTTPException(500, "the latest frame is not a readable PNG")
    h, w = frame.shape[:2]
    if x >= w or y >= h:
        raise RequestValidationError(
            [
                {
                    "type": "less_than",
                    "loc": ("query", "x" if x >= w else "y"),
                    "msg": f"must be inside the {w}x{h} frame",
                    "input": x if x >= w else y,
                }
            ]
        )
    b, g, r = (int(v) for v in frame[y, x])
    hh, s, v = (int(c) for c in cv2.cvtColor(frame[y : y + 1, x : x + 1], cv2.COLOR_BGR2HSV)[0, 0])
    return ColorResponse(x=x, y=y, bgr=(b, g, r), hsv=(hh, s, v), frame_url=f"/api/workflow/images/{kind}")


class SavedFrame(BaseModel):
    folder: FrameFolder
    path: str  # relative to the data dir
    width: int
    height: int


class FrameListing(BaseModel):
    folder: FrameFolder
    path: str  # the folder, relative to the data dir
    files: list[str]  # by name (= by time)


def _folder(gw: Gateway, folder: FrameFolder | None) -> FrameFolder:
    if folder is not None:
        return folder
    _, cfg = gw.store.get("workflow")
    assert isinstance(cfg, WorkflowConfig)
    return cfg.frame_folder


@router.post("/frames", response_model=SavedFrame)
def save_current_frame(
    gw: GatewayDep,
    folder: Annotated[FrameFolder | None, Query(description="default: the config's frame_folder")] = None,
    state: Annotated[str, Query(max_length=40, description="what the frame shows, for its name")] = "unknown",
) -> SavedFrame:
    """Saves the frame the dashboard shows (the workflow's latest ``frame``) as a PNG named
    by time and state into the folder the UI- or song-recognition tasks read."""
    png = gw.rb.get(keys.image_key("workflow", "frame"))
    if png is None:
        raise HTTPException(404, "workflow has published no frame yet: start the workflow task")
    width, height = png_size(png)
    which = _folder(gw, folder)
    dest = frames.folder(gw.settings.data_dir, which)
    path = frames.save_frame(dest, png, frames.frame_name(datetime.now(UTC), state))
    return SavedFrame(
        folder=which, path=str(path.relative_to(gw.settings.data_dir)), width=width, height=height
    )


@router.get("/frames", response_model=FrameListing)
def list_saved_frames(gw: GatewayDep, folder: FrameFolder | None = None) -> FrameListing:
    """The saved frames WalkThrough browses."""
    which = _folder(gw, folder)
    files = frames.list_frames(frames.folder(gw.settings.data_dir, which))
    return FrameListing(folder=which, path=frames.FOLDERS[which], files=[p.name for p in files])
