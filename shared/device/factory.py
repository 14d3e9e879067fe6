"""``open_device``: the device ``AUTOBANG_DEVICE`` names, connected and checked, or the
``DeviceError`` that says what to do. The one place a device is built (the runtime calls it
for ``ctx.device``; the gateway and ``autobang device`` too)."""

from __future__ import annotations

from dataclasses import replace

import adbutils

from shared.device.adb import NO_EMULATOR, AdbDevice, Client, answers, start_local_server, wait_ready
from shared.device.base import LATENCY_PROP, Device, DeviceInfo
from shared.device.errors import DeviceError, NoDevice
from shared.device.pictures import PictureDevice
from shared.device.spec import DeviceSpec, emulator_name, parse_spec
from shared.settings import Settings, get_settings

SIMULATOR_MODEL = "autobangsim"  # the simulated game's ro.product.model (lower case)


def open_device(settings: Settings | None = None) -> Device:
    settings = settings or get_settings()
    try:
        spec = parse_spec(settings.device)
    except ValueError as exc:
        raise DeviceError(str(exc)) from exc
    if spec.kind == "sim":
        # The launcher starts the simulator and hands workers adb://; a process that sees
        # plain "sim" was not given one: pictures stand in (and say so in their info).
        return PictureDevice(settings.data_dir / "screenshots", spec=spec.text, package=settings.game_package)
    return open_adb(spec, settings)


def open_adb(spec: DeviceSpec, settings: Settings) -> AdbDevice:
    if spec.kind == "adb":
        spec = replace(spec, port=settings.adb_port)
    where = f"{spec.host}:{spec.port}"
    emulator_addr = f"{settings.emulator_host}:{settings.mumu_port}"
    if not answers(spec.host, spec.port):
        if spec.kind != "adb":
            raise NoDevice(
                f"no ADB server at {where}: start the simulator (autobang simulator) or the ADB server, "
                "or check AUTOBANG_DEVICE"
            )
        why = start_local_server(spec.host, spec.port)
        if why:
            raise NoDevice(f"{NO_EMULATOR.format(addr=emulator_addr)} (no ADB server on {where}: {why})")
    client = Client(spec.host, spec.port, settings.device_timeout_s)
    serial = spec.serial
    emulator = ""
    if spec.kind == "adb":
        try:
            answer = client.connect(emulator_addr, timeout=settings.device_timeout_s)
        except (adbutils.AdbError, OSError) as exc:
            raise NoDevice(f"{NO_EMULATOR.format(addr=emulator_addr)} ({exc})") from exc
        if not answer.startswith(("connected", "already connected")):
            raise NoDevice(f"{NO_EMULATOR.format(addr=emulator_addr)} (adb: {answer.strip()})")
        serial, emulator = emulator_addr, emulator_name(settings.mumu_port)
    serial = wait_ready(client, serial, where)
    simulated = settings.device_simulated
    if spec.kind != "adb" and not simulated:
        try:
            model = client.device(serial).shell("getprop ro.product.model", timeout=settings.device_timeout_s)
        except (adbutils.AdbError, OSError):
            model = ""
        simulated = SIMULATOR_MODEL in model.lower()
    latency = touch_latency(client, serial, settings) if simulated else None
    detail = f"{emulator} via the ADB server at {where}" if emulator else f"ADB server at {where}"
    info = DeviceInfo(
        spec=spec.text,
        serial=serial,
        simulated=simulated,
        capture=f"{settings.capture} (not measured yet)" if settings.capture == "auto" else settings.capture,
        touch="input",
        detail=detail + ("; the simulated game" if simulated else ""),
        emulator=emulator or ("the simulated game" if simulated else ""),
        touch_latency_us=latency,
    )
    device = AdbDevice(
        client,
        serial,
        info,
        capture=settings.capture,
        touch=settings.touch,
        bangcheater_port=settings.bangcheater_port,
        package=settings.game_package,
        timeout_s=settings.device_timeout_s,
    )
    device.display()  # learnt on connecting: a display that is not 16:9 is refused here
    return device


def touch_latency(client: Client, serial: str, settings: Settings) -> int | None:
    """The touch latency (us) the device says it has (``LATENCY_PROP``), None when it says
    nothing (then its offset starts from the config's ``correction_time``)."""
    try:
        text = client.device(serial).shell(f"getprop {LATENCY_PROP}", timeout=settings.device_timeout_s)
    except (adbutils.AdbError, OSError):
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None
