"""The device list (``shared/config/devices.py``): without a saved list it is the one device
of ``AUTOBANG_DEVICE`` (a single-device setup loses nothing); a list is validated (names,
targets, no device twice) and saved atomically; a task on a device opens the list's target
unless its worker serves that device itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.launcher import Launcher
from shared.config.devices import (
    DeviceList,
    DeviceListError,
    default_list,
    device_settings,
    devices_path,
    load_devices,
    save_devices,
)
from shared.runtime.worker import served_units
from shared.settings import Settings

TWO = {
    "devices": [
        {"name": "default", "target": "adb"},
        {"name": "mumu2", "target": "adb://127.0.0.1:5037/127.0.0.1:16416"},
        {"name": "farm", "target": "adb://10.0.0.5:5037", "kind": "remote"},
    ]
}


def test_without_a_saved_list_the_one_device_is_autobang_device(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, device="adb://127.0.0.1:7000")
    devices = load_devices(settings)
    only = [(d.name, d.target, d.kind) for d in devices.devices]
    assert only == [("default", "adb://127.0.0.1:7000", "emulator")]
    assert default_list(Settings(data_dir=tmp_path, device="sim")).first.kind == "simulator"
    # A bad AUTOBANG_DEVICE is reported by the device when used, not here.
    assert default_list(Settings(data_dir=tmp_path, device="nonsense")).first.target == "adb"


def test_a_list_is_saved_atomically_and_read_back(tmp_path: Path) -> None:
    devices = DeviceList.model_validate(TWO)
    save_devices(tmp_path, devices)
    assert load_devices(Settings(data_dir=tmp_path)) == devices
    assert [p.name for p in tmp_path.iterdir()] == ["devices.json"]  # no temp file left
    assert devices.get("") is devices.first and devices.get("farm").kind == "remote"
    assert devices.unit_device("default") == "" and devices.unit_device("mumu2") == "mumu2"
    with pytest.raises(KeyError, match="no device 'x' in the device list; known: default, mumu2, farm"):
        devices.get("x")


@pytest.mark.parametrize(
    ("devices", "where", "says"),
    [
        ([], ("devices",), "at least 1 item"),
        ([{"name": "Big Name", "target": "adb"}], ("devices", 0, "name"), "lower-case letters"),
        ([{"name": "a", "target": "tcp://x"}], ("devices", 0, "target"), "is not a device: use adb"),
        ([{"name": "a", "target": "adb://h:99999"}], ("devices", 0, "target"), "is not a TCP port"),
        ([{"name": "a", "target": "adb", "kind": "phone"}], ("devices", 0, "kind"), "'emulator'"),
        ([{"name": "a", "target": "adb", "port": 1}], ("devices", 0, "port"), "Extra inputs"),
        ([{"name": "a", "target": "adb"}, {"name": "a", "target": "sim"}], (), "'a' is already the name"),
        ([{"name": "a", "target": "adb"}, {"name": "b", "target": "adb"}], (), "two devices have the target"),
    ],
)
def test_a_bad_list_is_refused_naming_the_field(
    devices: list[object], where: tuple[object, ...], says: str
) -> None:
    with pytest.raises(ValidationError) as info:
        DeviceList.model_validate({"devices": devices})
    error = info.value.errors()[0]
    assert error["loc"] == where and says in error["msg"], error


def test_an_unreadable_file_says_which_and_what_to_do(tmp_path: Path) -> None:
    devices_path(tmp_path).write_text('{"devices": [')
    with pytest.raises(DeviceListError, match=r"devices\.json is unreadable .*delete it to start from"):
        load_devices(Settings(data_dir=tmp_path))


def test_a_task_opens_its_devices_target_unless_its_worker_serves_it(tmp_path: Path) -> None:
    save_devices(tmp_path, DeviceList.model_validate(TWO))
    here = Settings(data_dir=tmp_path, device="adb://127.0.0.1:6000")
    assert load_devices(here).first.target == "adb://127.0.0.1:6000"  # always AUTOBANG_DEVICE
    assert device_settings(here, "") is here  # the first device's worker: its own --device
    other = device_settings(here, "mumu2")
    assert (other.device, other.device_name) == ("adb://127.0.0.1:5037/127.0.0.1:16416", "mumu2")
    remote = Settings(data_dir=tmp_path, device="adb://127.0.0.1:5555", device_name="farm")
    assert device_settings(remote, "farm") is remote  # as that machine reaches it


def test_autobang_up_starts_a_scriptor_worker_per_other_device_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_devices(tmp_path, DeviceList.model_validate(TWO))
    settings = Settings(data_dir=tmp_path)
    children = Launcher(settings, "127.0.0.1", 8000, tmp_path).device_children()
    assert [c.name for c in children] == ["worker:scriptor@mumu2"]  # "farm" is served elsewhere
    assert children[0].argv[-3:] == ["services.cli", "worker", "scriptor"]
    env = children[0].env
    assert env["AUTOBANG_DEVICE"] == "adb://127.0.0.1:5037/127.0.0.1:16416"
    assert env["AUTOBANG_DEVICE_NAME"] == "mumu2"
    # The worker's settings read from that environment (a bad value would stop it at start).
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert (Settings().device_name, Settings().device_simulated) == ("mumu2", False)


def test_which_units_a_worker_serves(tmp_path: Path) -> None:
    save_devices(tmp_path, DeviceList.model_validate(TWO))
    here = Settings(data_dir=tmp_path)
    assert served_units("scriptor", here) == ("scriptor",)  # one scriptor worker per device
    assert served_units("workflow", here) == ("workflow", "workflow@mumu2")  # not the remote "farm"
    assert served_units("song_recognition", here) == ("song_recognition", "song_recognition@mumu2")
    assert served_units("fetch", here) == ("fetch",)
    there = Settings(data_dir=tmp_path, device_name="farm")
    assert served_units("scriptor", there) == ("scriptor@farm",)
    assert served_units("workflow", there) == ("workflow@farm",)
