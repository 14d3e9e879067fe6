"""``/api/devices``: the device list (read, replace) with each device's scriptor: which unit
serves it, whether its worker answers and what it is doing (the sidebar and the Scriptor
tab's device switcher). A new list is validated (422 naming the field), saved atomically
and takes effect at the next start of the product, when the workers for it start."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from services.gateway.context import GatewayDep, read_devices
from services.gateway.errors import ERRORS
from shared import keys
from shared.config.devices import DeviceEntry, DeviceList, default_list, save_devices
from shared.event_schema import TaskStatus
from shared.modules import DEVICE_MODULES, unit_name
from shared.runtime.state import read_state, state_data

router = APIRouter(prefix="/api", responses=ERRORS, tags=["devices"])


class DeviceView(DeviceEntry):
    unit: str = Field(description="the scriptor's unit for it: scriptor, or scriptor@NAME")
    worker: bool = Field(description="a scriptor worker serving it answers")
    workers: dict[str, bool] = Field(
        default_factory=dict,
        description="per module with device tasks: a worker serving its unit for this device answers",
    )
    status: TaskStatus = Field(description="its scriptor's status")
    error: str | None = None
    serial: str | None = Field(
        None, description="the serial its last scriptor run played on (history filter)"
    )


class DevicesDoc(BaseModel):
    devices: list[DeviceView]
    saved: DeviceList = Field(description="the list saved for the next start")
    restart_needed: bool = Field(description="the saved list differs from the one in effect")


def _doc(gw: GatewayDep, saved: DeviceList) -> DevicesDoc:
    views = []
    for i, d in enumerate(gw.devices.devices):
        unit = unit_name("scriptor", d.name if i else "")
        state = state_data(read_state(gw.r, unit))
        units = [unit_name(m, d.name if i else "") for m in DEVICE_MODULES]
        beats = gw.r.mget([keys.worker_heartbeat(u) for u in units])
        views.append(
            DeviceView(
                **d.model_dump(),
                unit=unit,
                worker=bool(gw.r.exists(keys.worker_heartbeat(unit))),
                workers={m: beat is not None for m, beat in zip(DEVICE_MODULES, beats, strict=True)},
                status=state.status,
                error=state.error,
                serial=state.fields.get("device"),
            )
        )
    return DevicesDoc(devices=views, saved=saved, restart_needed=saved != gw.devices)


@router.get("/devices", response_model=DevicesDoc)
def get_devices(gw: GatewayDep) -> DevicesDoc:
    return _doc(gw, read_devices(gw.settings))


@router.put("/devices", response_model=DevicesDoc)
def put_devices(body: DeviceList, gw: GatewayDep) -> DevicesDoc:
    """Replace the list. The first device is ``AUTOBANG_DEVICE`` (the module workers serve
    it): a first target other than that is refused, naming the field and where to set it."""
    first = default_list(gw.settings).first.target
    if body.first.target != first:
        msg = f"the first device is AUTOBANG_DEVICE ({first}): set it there, or keep it first as it is"
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("body", "devices", 0, "target"),
                    "msg": msg,
                    "input": body.first.target,
                }
            ]
        )
    save_devices(gw.settings.data_dir, body)
    return _doc(gw, body)
