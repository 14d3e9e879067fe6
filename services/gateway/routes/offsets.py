"""``/api/scriptor/offsets``: each device's touch offset (``shared/device_offsets.py``),
how it moved over the plays, and the user's pin. A change takes effect at the next song."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS
from shared.config.scriptor import INT32_MAX, INT32_MIN
from shared.device_offsets import DeviceOffset, OffsetStore

router = APIRouter(prefix="/api/scriptor/offsets", responses=ERRORS, tags=["scriptor"])


class DeviceOffsetView(DeviceOffset):
    device: str  # the identity it is kept under (serial; ``sim:<serial>`` for the simulator)


class OffsetPin(BaseModel):
    offset_ms: float | None = Field(
        None, ge=INT32_MIN / 1000, le=INT32_MAX / 1000, description="None: keep the value"
    )
    pinned: bool


@router.get("", response_model=list[DeviceOffsetView])
def device_offsets(gw: GatewayDep) -> list[DeviceOffsetView]:
    f = OffsetStore(gw.settings.data_dir).read()
    return [DeviceOffsetView(device=k, **v.model_dump()) for k, v in sorted(f.devices.items())]


@router.put("/{device}", response_model=DeviceOffsetView)
def pin_offset(device: str, body: OffsetPin, gw: GatewayDep) -> DeviceOffsetView:
    """Set and/or pin (or unpin) a device's offset; a pinned offset is never learned."""
    store = OffsetStore(gw.settings.data_dir)
    if store.get(device) is None and body.offset_ms is None:
        raise HTTPException(404, f"no offset kept for device {device!r}: give offset_ms to set one")
    offset_us = None if body.offset_ms is None else round(body.offset_ms * 1000)
    dev = store.pin(device, offset_us, body.pinned)
    return DeviceOffsetView(device=device, **dev.model_dump())
