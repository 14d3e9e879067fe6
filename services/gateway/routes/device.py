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


def live_screen(request: Request) -> LiveScreen:
    """The app's one LiveScreen (built on first use, on app.state so two apps never share)."""
    with _lock:
        screen = getattr(request.app.state, "live_screen", None)
        if screen is None:
            settings: Settings = request.app.state.settings
            # The view polls about once a second: a screenrecord stream would keep the
            # device's encoder (the simulator's CPU) busy all the time for it; raw is cheap.
            if settings.capture == "auto":
                settings = settings.model_copy(update={"capture": LIVE_CAPTURE})
            screen = LiveScreen(lambda: open_device(settings), interval_s=SCREEN_INTERVAL_S)
            request.app.state.live_screen = screen
        assert isinstance(screen, LiveScreen)
        return screen


def close_live_screen(app: FastAPI) -> None:
    """On shutdown: release the gateway's device connection (forwards, a screenrecord)."""
    screen = getattr(app.state, "live_screen", None)
    if isinstance(screen, LiveScreen):
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
def get_device(request: Request) -> DeviceStatus:
    settings: Settings = request.app.state.settings
    info, error = live_screen(request).status()
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
def get_screen(request: Request, width: int | None = Query(None, ge=64, le=1280)) -> Response:
    try:
        shot = live_screen(request).shot(width)
    except DeviceError as exc:
        settings: Settings = request.app.state.settings
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
