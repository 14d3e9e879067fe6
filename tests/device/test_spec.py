"""The pure parts of the device layer: AUTOBANG_DEVICE, the emulator's port, Android's
answers, raw screencaps and the benchmark's statistics."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.device import android
from shared.device.benchmark import BackendResult, fastest, percentile, summarise
from shared.device.capture import parse_raw
from shared.device.errors import BadFrame
from shared.device.frame import checked_screen, decode_image, encode_jpeg
from shared.device.spec import DeviceSpec, emulator_name, mumu12_port, parse_spec
from tests.device.helpers import pattern, raw_screencap


def test_device_spec_forms() -> None:
    assert parse_spec("adb") == DeviceSpec("adb", "adb")
    assert parse_spec(" adb ") == DeviceSpec("adb", "adb")
    assert parse_spec("adb://127.0.0.1:5038") == DeviceSpec("server", "adb://127.0.0.1:5038", port=5038)
    got = parse_spec("adb://10.0.0.2:5037/127.0.0.1:7555")
    assert (got.kind, got.host, got.port, got.serial) == ("server", "10.0.0.2", 5037, "127.0.0.1:7555")
    assert parse_spec("adb://host.docker.internal:5037").host == "host.docker.internal"
    assert parse_spec("sim") == DeviceSpec("sim", "sim")
    assert parse_spec("sim:scenarios/full.json").scenario == Path("scenarios/full.json")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("mumu", "is not a device: use adb, adb://HOST:PORT[/SERIAL] or sim[:scenario.json]"),
        ("adb://127.0.0.1", "needs HOST:PORT"),
        ("adb://:5037", "needs HOST:PORT"),
        ("adb://127.0.0.1:http", "port 'http' is not a TCP port"),
        ("adb://127.0.0.1:70000", "port '70000' is not a TCP port"),
        ("", "is not a device"),
    ],
)
def test_bad_device_specs_name_the_problem(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="AUTOBANG_DEVICE") as err:
        parse_spec(text)
    assert words in str(err.value)


def test_emulator_names_from_the_port() -> None:
    assert emulator_name(7555) == "MuMu 6/X"
    assert emulator_name(16384) == "MuMu 12 (instance 0)"
    assert emulator_name(mumu12_port(2)) == "MuMu 12 (instance 2)" and mumu12_port(2) == 16448
    assert "not a MuMu default" in emulator_name(5555)
    assert "not a MuMu default" in emulator_name(16390)


def test_android_commands_and_foreground_parsing() -> None:
    assert android.tap_command(10.6, 20) == "input tap 10 20"  # type: ignore[arg-type]
    assert android.swipe_command(1, 2, 3, 4, 0) == "input swipe 1 2 3 4 1"
    assert android.back_command() == "input keyevent 4"
    assert android.start_command("com.x") == "monkey -p com.x -c android.intent.category.LAUNCHER 1"
    assert android.stop_command("com.x") == "am force-stop com.x"
    dump = (
        "  mCurrentFocus=Window{3b1c2d u0 com.bilibili.star.bili/com.unity3d.player.UnityPlayerActivity}\n"
        "  mFocusedApp=ActivityRecord{5e2 u0 com.android.launcher3/.Launcher t12}\n"
    )
    assert android.parse_foreground(dump) == "com.bilibili.star.bili"
    assert android.parse_foreground(
        "mFocusedApp=ActivityRecord{5e2 u0 com.android.launcher3/.Launcher t1}"
    ) == ("com.android.launcher3")
    assert android.parse_foreground("mCurrentFocus=null\n") == ""
    assert android.start_failed("** No activities found to run, monkey aborted.")
    assert not android.start_failed("Events injected: 1")


def test_raw_screencap_with_and_without_the_colour_space_word() -> None:
    src = pattern()
    assert np.array_equal(parse_raw(raw_screencap(src, colour_space=True)), src)
    assert np.array_equal(parse_raw(raw_screencap(src, colour_space=False)), src)
    assert np.array_equal(parse_raw(raw_screencap(src, fmt=3)), src)  # RGB_888


def test_portrait_raw_screencap_is_turned_landscape() -> None:
    src = pattern()
    portrait = cv2.rotate(src, cv2.ROTATE_90_CLOCKWISE)
    assert portrait.shape[:2] == (1280, 720)
    assert np.array_equal(parse_raw(raw_screencap(portrait)), src)


def test_bad_raw_screencaps_are_bad_frames() -> None:
    good = raw_screencap(pattern())
    with pytest.raises(BadFrame, match="truncated raw screencap"):
        parse_raw(good[: len(good) // 2])
    with pytest.raises(BadFrame, match="not even a raw screencap header"):
        parse_raw(b"\x00\x05")
    with pytest.raises(BadFrame, match="unknown pixel format 9"):
        parse_raw(struct.pack("<IIII", 4, 4, 9, 0) + bytes(64))
    with pytest.raises(BadFrame, match="black"):
        parse_raw(raw_screencap(np.zeros((720, 1280, 3), np.uint8)))


def test_decoded_images_are_checked() -> None:
    _ok, png = cv2.imencode(".png", pattern(360, 640))
    frame = decode_image(png.tobytes(), "screencap -p")
    assert frame.shape == (720, 1280, 3)  # scaled to the one frame size
    with pytest.raises(
        BadFrame, match=r"screencap -p: 23 bytes that are not an image \('error: device offline'\)"
    ):
        decode_image(b"error: device offline\r\n", "screencap -p")
    with pytest.raises(BadFrame, match="black"):
        checked_screen(np.full((720, 1280, 3), 16, np.uint8), "x")  # limited-range video black
    jpeg = encode_jpeg(frame, width=320)
    assert jpeg[:2] == b"\xff\xd8"
    small = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert small is not None and small.shape == (180, 320, 3)


def test_benchmark_statistics() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95) == 5.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert percentile([7.0], 50) == 7.0
    r = summarise("png", 300.0, [100.0, 200.0, 300.0])
    assert (r.frames, r.mean_ms, r.p95_ms, r.max_ms, r.ok) == (3, 200.0, 300.0, 300.0, True)
    failed = summarise("stream", 0.0, [], "no screenrecord")
    assert not failed.ok and failed.error == "no screenrecord"
    raw = BackendResult("raw", 3, 50.0, 40.0, 45.0, 46.0)
    assert fastest([r, failed, raw]) == raw
    assert fastest([failed]) is None
