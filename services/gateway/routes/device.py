"""``/api/device``: which device the product drives and whether it answers, and its live
screen (a JPEG shared by every viewer, captured at most ``SCREEN_INTERVAL_S`` apart; reading
the screen beside a running task is fine, it does not take the device lease)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from services.gateway.errors import ERRORS
from services.gateway.models import ErrorDetail
from shared.device import DeviceError, display
from shared.device.factory import open_device
from shared.device.live import SIM_HINT, LiveScreen
from shared.device.spec import parse_spec
from shared.settings import Settings

router = APIRouter(prefix="/api/device", responses=ERRORS, tags=["device"])

SCREEN_INTERVAL_S = 0.5
LIVE_CAPTURE = "raw"  # the live view's backend unless AUTOBANG_CAPTURE names one
_lock = threading.Lock()


class DeviceStatus(BaseModel):
    spec: str = Field(description="AUTOBANG_DEVICE as set: adb, adb://HOST:PORT[/SERIAL] or sim[:file]")
    connected: bool
    serial: str = ""
    emulator: str = Field("", description='"MuMu 6/X", "MuMu 12 (instance N)", "the simulated game"')
    simulated: bool = False
    capture: str = Field("", description="png | raw | stream | pictures (auto: chosen at the first frame)")
    touch: str = ""
    display: str = Field(
        "", description="the display's size, e.g. 1920x1080 (taps and touches are scaled to it)"
    )
    detail: str = ""
    error: str = Field("", description="why the device cannot be reached, in plain words")
    hint: str = Field("", description="what to do about it")


DeviceName = Query(
    "", max_length=32, description="a device of the device list (GET /api/devices); empty: the first"
)


def device_settings_for(request: Request, device: str) -> Settings:
    """The settings the gateway reaches the device ``device`` with ("" the first): the list's
    target for another device (a ``remote`` one only when the gateway reaches it too)."""
    settings: Settings = request.app.state.settings
    if not device:
        return settings
    gw = getattr(request.app.state, "gateway", None)
    if gw is None:  # an app without a Gateway (tests of this router alone): one device
        return settings
    try:
        entry = gw.devices.get(device)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    if entry is gw.devices.first:
        return settings
    return settings.model_copy(update={"device": entry.target, "device_name": device})


def live_screen(request: Request, device: str = "") -> LiveScreen:
    """The app's one LiveScreen per device (built on first use, on app.state so two apps
    never share)."""
    with _lock:
        screens: dict[str, LiveScreen] = getattr(request.app.state, "live_screens", None) or {}
        request.app.state.live_screens = screens
        screen = screens.get(device)
        if screen is None:
            settings = device_settings_for(request, device)
            # The view polls about once a second: a screenrecord stream would keep the
            # device's encoder (the simulator's CPU) busy all the time for it; raw is cheap.
            if settings.capture == "auto":
                settings = settings.model_copy(update={"capture": LIVE_CAPTURE})
            screen = LiveScreen(lambda: open_device(settings), interval_s=SCREEN_INTERVAL_S)
            screens[device] = screen
        return screen


def close_live_screen(app: FastAPI) -> None:
    """On shutdown: release the gateway's device connections (forwards, a screenrecord)."""
    for screen in (getattr(app.state, "live_screens", None) or {}).values():
        screen.close()


def hint_for(settings: Settings, error: str) -> str:
    if "not 16:9" in error:  # the device answers; its display is what to change
        return display.ADVICE
    try:
        kind = parse_spec(settings.device).kind
    except ValueError:
        return "set AUTOBANG_DEVICE to adb, adb://HOST:PORT[/SERIAL] or sim"
    if kind == "adb":
        return f"start MuMu with ADB enabled (port {settings.mumu_port}), or {SIM_HINT}"
    if kind == "server":
        return "start the ADB server or simulator that AUTOBANG_DEVICE names, or " + SIM_HINT
    return "restart the product with AUTOBANG_DEVICE=sim scripts/up"


@router.get("", response_model=DeviceStatus)
def get_device(request: Request, device: str = DeviceName) -> DeviceStatus:
    settings = device_settings_for(request, device)
    info, error = live_screen(request, device).status()
    if info is None:
        return DeviceStatus(
            spec=settings.device, connected=False, error=error, hint=hint_for(settings, error)
        )
    return DeviceStatus(connected=True, **info.as_dict())


@router.get(
    "/screen",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the device's screen as JPEG"},
        503: {"model": ErrorDetail, "description": "no device to capture from (the detail says why)"},
    },
)
def get_screen(
    request: Request, width: int | None = Query(None, ge=64, le=1280), device: str = DeviceName
) -> Response:
    try:
        shot = live_screen(request, device).shot(width)
    except DeviceError as exc:
        settings = device_settings_for(request, device)
        raise HTTPException(503, f"{exc} ({hint_for(settings, str(exc))})") from exc
    return Response(
        shot.jpeg,
        media_type="image/jpeg",
        headers={
            "Cache-Control": "no-store",
            "X-Device-Serial": shot.info.serial,
            "X-Device-Simulated": "1" if shot.info.simulated else "0",
            "X-Device-Capture": shot.info.capture,
        },
    )
