"""``GET /healthz``: Redis reachable, and which workers have a fresh heartbeat."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.context import GatewayDep
from services.gateway.models import Health
from shared import keys
from shared.modules import MODULE_NAMES

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(gw: GatewayDep) -> Health:
    try:
        gw.r.ping()
        beats = gw.r.mget([keys.worker_heartbeat(m) for m in MODULE_NAMES])
    except Exception:
        return Health(ok=False, redis=False, workers={m: False for m in MODULE_NAMES})
    workers = {m: bool(b) for m, b in zip(MODULE_NAMES, beats, strict=True)}
    return Health(ok=True, redis=True, workers=workers)
