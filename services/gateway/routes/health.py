"""``GET /healthz``: Redis reachable, and which workers have a fresh heartbeat; 503 while
Redis does not answer (at once when the watch already knows, else after the ride-out)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway.context import GatewayDep
from services.gateway.models import Health
from shared import keys
from shared.modules import MODULE_NAMES

router = APIRouter(tags=["health"])


DOWN = Health(ok=False, redis=False, workers={m: False for m in MODULE_NAMES})


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Redis does not answer"}},
)
def healthz(gw: GatewayDep, request: Request) -> Health | JSONResponse:
    watch = getattr(request.app.state, "redis_watch", None)
    if watch is not None and watch.down:
        return JSONResponse(DOWN.model_dump(), 503)
    try:
        gw.r.ping()
        beats = gw.r.mget([keys.worker_heartbeat(m) for m in MODULE_NAMES])
    except Exception:
        return JSONResponse(DOWN.model_dump(), 503)
    workers = {m: bool(b) for m, b in zip(MODULE_NAMES, beats, strict=True)}
    return Health(ok=True, redis=True, workers=workers)
