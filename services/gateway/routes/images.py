"""``/api/{module}/images``: the latest image of each kind a module published, as records
and as PNG."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS, unit_or_404
from services.gateway.models import ErrorDetail, LatestImage
from services.gateway.module_view import module_images
from shared import keys

router = APIRouter(prefix="/api", responses=ERRORS, tags=["modules"])


@router.get("/{module}/images", response_model=list[LatestImage])
def images(module: str, gw: GatewayDep) -> list[LatestImage]:
    """The latest image of each kind the module published (sorted by kind)."""
    unit_or_404(module)
    return list(module_images(gw.r, module).values())


@router.get(
    "/{module}/images/{kind}",
    responses={200: {"content": {"image/png": {}}}, 404: {"model": ErrorDetail}},
)
def image(module: str, kind: str, gw: GatewayDep) -> Response:
    unit_or_404(module)
    png = gw.rb.get(keys.image_key(module, kind))
    if png is None:
        raise HTTPException(404, f"{module} has published no {kind!r} image yet")
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
