"""What every route of one gateway app shares (settings, Redis clients, the config store,
the event hub), as one typed object on ``app.state.gateway``; routes take it through the
``GatewayDep`` dependency instead of module globals, so two apps in one process (tests)
never share clients."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import HTTPConnection

from services.gateway.hub import Hub
from shared.config.devices import DeviceList, DeviceListError, default_list, load_devices
from shared.modules import DEVICE_MODULES, MODULE_NAMES, MODULES, unit_name
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import (
    GATEWAY_RIDE_OUT_S,
    GATEWAY_SOCKET_TIMEOUT_S,
    BytesRedis,
    TextRedis,
    connect,
    connect_bytes,
    redis_url,
)
from shared.settings import Settings

log = logging.getLogger(__name__)


def device_units(devices: DeviceList) -> tuple[str, ...]:
    """Every module, then the units of each device beside the first (``scriptor@mumu2``) for
    the modules with device tasks: the event streams the gateway fans out and reconciles."""
    extra = [unit_name(m, d.name) for d in devices.devices[1:] for m in DEVICE_MODULES]
    return (*MODULE_NAMES, *extra)


def read_devices(settings: Settings) -> DeviceList:
    """The device list as the gateway starts with it (a change takes effect at the next
    start, as the workers for a new device start then); an unreadable file is said in the
    log and the one device of ``AUTOBANG_DEVICE`` is used."""
    try:
        return load_devices(settings)
    except DeviceListError as exc:
        log.error("%s", exc)
        return default_list(settings)


def _config_schemas() -> dict[str, dict[str, Any]]:
    # The registry is fixed for the process: build the config JSON Schemas once, not per request.
    return {spec.name: spec.config_model.model_json_schema() for spec in MODULES}


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    r: TextRedis  # decoded replies: state hashes, streams, config
    rb: BytesRedis  # raw replies: PNG images
    store: ConfigStore
    hub: Hub
    devices: DeviceList  # as at start (``read_devices``)
    config_schemas: dict[str, dict[str, Any]] = field(default_factory=_config_schemas)

    @property
    def units(self) -> tuple[str, ...]:
        return self.hub.units

    @property
    def unit_devices(self) -> frozenset[str]:
        """The devices that have units (every device beside the first)."""
        return frozenset(d.name for d in self.devices.devices[1:])

    @classmethod
    def connect(cls, settings: Settings) -> Gateway:
        url = redis_url(settings.redis_url)
        timeout = GATEWAY_SOCKET_TIMEOUT_S
        r = connect(url, ride_out_s=GATEWAY_RIDE_OUT_S, socket_timeout_s=timeout)
        return cls(
            settings,
            r,
            connect_bytes(url, ride_out_s=GATEWAY_RIDE_OUT_S, socket_timeout_s=timeout),
            ConfigStore(r, settings.data_dir),
            Hub(url, settings.ws_queue_max, device_units(devices := read_devices(settings))),
            devices,
        )


def gateway(conn: HTTPConnection) -> Gateway:
    """The app's ``Gateway`` (for HTTP routes and the WebSocket alike)."""
    gw = conn.app.state.gateway
    assert isinstance(gw, Gateway), "the app was not built by services.gateway.app.create_app"
    return gw


GatewayDep = Annotated[Gateway, Depends(gateway)]
