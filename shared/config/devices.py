"""The device list: every emulator the product drives, one source of truth (settings, the
gateway's ``/api/devices``, the launcher's workers, the dashboard's form through its JSON
Schema). Kept in ``<data dir>/devices.json`` (written atomically); without the file the
list is the one device ``AUTOBANG_DEVICE`` names, so a single-device setup loses nothing.

The first device is served by each module's own worker (``autobang worker scriptor``); any
other by a worker for it (``autobang worker scriptor --device-name NAME``), started by
``autobang up`` for ``emulator`` and ``simulator`` devices, on another machine for
``remote`` ones (their target is the address that machine reaches)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.atomic_write import write_atomic
from shared.device.spec import parse_spec
from shared.modules import DEVICE_NAME_RE, DEVICE_NAME_RULE
from shared.settings import Settings

DeviceKind = Literal["emulator", "simulator", "remote"]
# The forms ``parse_spec`` accepts, for the schema (the validator stays the one that decides
# and says why); the port 1..65535.
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
TARGET_PATTERN = rf"^(?:adb|adb://[^\s/]+:{_PORT}(?:/\S*)?|sim(?::\S*)?)$"
FIRST_NAME = "default"  # the first device's name when the list comes from AUTOBANG_DEVICE


class DeviceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="how the dashboard and the workers name it",
        json_schema_extra={"x-widget": "text", "pattern": DEVICE_NAME_RE.pattern},
    )
    target: str = Field(
        description="adb (MuMu on this PC), adb://HOST:PORT[/SERIAL] or sim[:scenario.json]",
        json_schema_extra={"x-widget": "text", "pattern": TARGET_PATTERN},
    )
    kind: DeviceKind = Field(
        "emulator",
        description="emulator or simulator: autobang up starts its worker; "
        "remote: a worker on another machine serves it",
        json_schema_extra={"x-widget": "select"},
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not DEVICE_NAME_RE.match(value):
            raise ValueError(f"must be {DEVICE_NAME_RULE}")
        return value

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        parse_spec(value)  # its ValueError names the bad part and the forms
        return value.strip()


class DeviceList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    devices: list[DeviceEntry] = Field(min_length=1, max_length=16)

    @model_validator(mode="after")
    def _distinct(self) -> DeviceList:
        seen: dict[str, str] = {}
        for i, d in enumerate(self.devices):
            if d.name in seen:
                raise ValueError(f"devices.{i}.name: {d.name!r} is already the name of another device")
            seen[d.name] = d.target
        targets = [d.target for d in self.devices if d.kind != "remote"]
        for t in set(targets):
            if targets.count(t) > 1:
                raise ValueError(f"two devices have the target {t!r}: one emulator is one device")
        return self

    @property
    def first(self) -> DeviceEntry:
        return self.devices[0]

    def get(self, name: str) -> DeviceEntry:
        """The device called ``name`` ("" for the first); ``KeyError`` naming the known ones."""
        if not name:
            return self.first
        for d in self.devices:
            if d.name == name:
                return d
        known = ", ".join(d.name for d in self.devices)
        raise KeyError(f"no device {name!r} in the device list; known: {known}")

    def unit_device(self, name: str) -> str:
        """The device part of a unit for the device ``name``: "" for the first device."""
        return "" if self.get(name) is self.first else name


class DeviceListError(Exception):
    """``devices.json`` exists but cannot be read: the message names the file and why."""


def devices_path(data_dir: Path) -> Path:
    return data_dir / "devices.json"


def default_list(settings: Settings) -> DeviceList:
    spec = parse_spec(settings.device) if _parses(settings.device) else None
    kind: DeviceKind = "simulator" if spec is not None and spec.kind == "sim" else "emulator"
    target = settings.device if spec is not None else "adb"
    return DeviceList(devices=[DeviceEntry(name=FIRST_NAME, target=target, kind=kind)])


def _parses(text: str) -> bool:
    try:
        parse_spec(text)
    except ValueError:
        return False
    return True


def load_devices(settings: Settings) -> DeviceList:
    """The saved list, or the one device of ``AUTOBANG_DEVICE`` when none is saved. The first
    device's target is always ``AUTOBANG_DEVICE`` (one source: the module workers serve it)."""
    path = devices_path(settings.data_dir)
    if not path.exists():
        return default_list(settings)
    try:
        saved = DeviceList.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise DeviceListError(
            f"{path} is unreadable ({exc}): fix it or delete it to start from AUTOBANG_DEVICE"
        ) from exc
    # The first device is AUTOBANG_DEVICE's, whatever the file said when it was saved.
    first = saved.first.model_copy(update={"target": default_list(settings).first.target})
    return saved.model_copy(update={"devices": [first, *saved.devices[1:]]})


def save_devices(data_dir: Path, devices: DeviceList) -> None:
    write_atomic(devices_path(data_dir), json.dumps(devices.model_dump(mode="json"), indent=2).encode())


def device_settings(settings: Settings, name: str) -> Settings:
    """The settings a task on the device ``name`` ("" the first) opens it with: the worker's
    own (``--device``, ``AUTOBANG_DEVICE``) when it serves that device, else the list's target."""
    if name == settings.device_name:
        return settings
    entry = load_devices(settings).get(name)
    return settings.model_copy(update={"device": entry.target, "device_name": name})
