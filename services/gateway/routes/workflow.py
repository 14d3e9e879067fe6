"""``/api/workflow``: ``/color``, the colour of one pixel of the workflow's latest frame (BGR
and HSV) for picking thresholds in the dashboard; ``/frames``, saving the frame shown
(Capture's save button) and listing the saved frames WalkThrough browses; ``/fit``, the
last refit of a trace, and ``/fit/save``, saving it as the next coefficient version (the
dashboard's Save coefficients)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import cv2
import numpy as np
from fastapi import APIRouter, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from services.gateway.context import Gateway, GatewayDep
from services.gateway.errors import ERRORS, unit_or_404
from services.gateway.models import ColorResponse
from shared import curve_fits as fits
from shared import keys
from shared import saved_frames as frames
from shared.config import WorkflowConfig
from shared.config.workflow import FrameFolder
from shared.runtime.context import png_size

router = APIRouter(prefix="/api/workflow", responses=ERRORS, tags=["workflow"])

# The device whose frame: the tab's unit (``workflow@mumu2`` for another device of the list).
UnitQuery = Annotated[str, Query(max_length=80, description="workflow, or workflow@NAME for another device")]


def _frame(gw: Gateway, unit: str, kind: str) -> bytes:
    """The unit's latest image of ``kind``: 404 naming what is missing."""
    if unit_or_404(unit).name != "workflow":
        raise HTTPException(404, f"{unit!r} is not the workflow's unit (workflow or workflow@NAME)")
    png = gw.rb.get(keys.image_key(unit, kind))
    if png is None:
        raise HTTPException(404, f"{unit} has published no frame yet: start the workflow task")
    return bytes(png)


@router.get("/color", response_model=ColorResponse)
def get_color(
    gw: GatewayDep,
    x: int = Query(..., ge=0),
    y: int = Query(..., ge=0),
    kind: str = "frame",
    unit: UnitQuery = "workflow",
) -> ColorResponse:
    png = _frame(gw, unit, kind)
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
    return ColorResponse(x=x, y=y, bgr=(b, g, r), hsv=(hh, s, v), frame_url=f"/api/{unit}/images/{kind}")


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
    unit: UnitQuery = "workflow",
) -> SavedFrame:
    """Saves the frame the dashboard shows (the unit's latest ``frame``: the device the
    Workflow tab picked) as a PNG named by time and state into the folder the UI- or
    song-recognition tasks read."""
    png = _frame(gw, unit, "frame")
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


class LastFit(BaseModel):
    coefficients: list[float]  # c0..c4 of time_to_judge(t) = c0 - c1/(t+c2) + c3*sqrt(t+c4)
    rms_ms: float
    max_ms: float
    points: int
    trace: str  # the trace it was fitted to, relative to the data dir
    mode: str  # TraceNote or TraceFirstNote
    fitted_at: str
    saved_as: str | None  # the coefficient version it was saved as, if it was


class SavedCoefficients(BaseModel):
    version: str
    path: str  # relative to the data dir
    coefficients: list[float]


def _last_fit(gw: Gateway) -> dict[str, Any] | None:
    try:
        return fits.read_last_fit(gw.settings.data_dir)
    except ValueError as exc:
        raise HTTPException(500, str(exc)) from exc


@router.get("/fit", response_model=LastFit | None)
def last_fit(gw: GatewayDep) -> LastFit | None:
    """The last refit of a trace (TraceNote / TraceFirstNote), saved or not; null before
    the first (not an error: the dashboard asks whenever the Trace modes are shown)."""
    doc = _last_fit(gw)
    return None if doc is None else LastFit.model_validate(doc)


@router.post("/fit/save", response_model=SavedCoefficients)
def save_last_fit(gw: GatewayDep) -> SavedCoefficients:
    """Saves the last fit as the next coefficient version: the play engine uses it from
    then on; older versions are kept. A fit is saved once (409 names its version)."""
    doc = _last_fit(gw)
    if doc is None:
        raise HTTPException(404, "no fit yet: run TraceNote or TraceFirstNote during a song")
    if doc.get("saved_as"):
        raise HTTPException(409, f"this fit is saved already, as {doc['saved_as']}")
    version, path = fits.save_version(gw.settings.data_dir, doc)
    return SavedCoefficients(
        version=version,
        path=str(path.relative_to(gw.settings.data_dir)),
        coefficients=[float(c) for c in doc["coefficients"]],
    )
