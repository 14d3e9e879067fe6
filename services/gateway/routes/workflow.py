"""``/api/workflow/color``: the colour of one pixel of the workflow's latest frame (BGR and
HSV), for picking thresholds in the dashboard."""

from __future__ import annotations

import cv2
import numpy as np
from fastapi import APIRouter, HTTPException, Query
from fastapi.exceptions import RequestValidationError

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS
from services.gateway.models import ColorResponse
from shared import keys

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
