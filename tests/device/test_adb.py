"""The real device layer (shared.device over adbutils) against a fake ADB server on
loopback: the errors a user meets (nothing listening, offline, unauthorised, truncated or
black captures) and good frames through each capture backend."""

from __future__ import annotations

import json
import struct
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from services.launcher import free_port
from shared.device import adb as adb_module
from shared.device.adb import AdbDevice
from shared.device.benchmark import benchmark, fastest, table
from shared.device.errors import BadFrame, DeviceError, DeviceOffline, NoDevice, Unauthorized
from shared.device.factory import open_device
from shared.device.pictures import PictureDevice
from shared.device.stream import StreamCapture
from tests.device.fake_adb import Answer, FakeAdb
from tests.device.helpers import pattern, raw_screencap, settings, until

SERIAL = "emulator-5554"


def png(img: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", img)
    assert ok
    return data.tobytes()


@pytest.fixture
def fake() -> Iterator[FakeAdb]:
    server = FakeAdb()
    yield server
    server.close()


def screen_exec(image: np.ndarray) -> Callable[[str], Answer]:
    def answer(command: str) -> Answer:
        if command == "screencap -p":
            return png(image)
        if command == "screencap":
            return raw_screencap(image)
        return b""

    return answer


def open_adb(fake: FakeAdb, tmp_path: Path, **values: object) -> AdbDevice:
    device = open_device(settings(tmp_path, device=fake.url, **values))
    assert isinstance(device, AdbDevice)
    return device


# -- connecting -----------------------------------------------------------------------------


def test_nothing_listening_is_no_device_with_the_address(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(NoDevice, match=rf"no ADB server at 127\.0\.0\.1:{port}: start the simulator"):
        open_device(settings(tmp_path, device=f"adb://127.0.0.1:{port}"))


def test_adb_mode_without_a_server_or_adb_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no adb to start a server with
    with pytest.raises(NoDevice) as err:
        open_device(settings(tmp_path, adb_port=free_port(), mumu_port=7555))
    assert str(err.value).startswith(
        "no emulator at 127.0.0.1:7555: start MuMu, enable ADB, or set AUTOBANG_DEVICE=sim"
    )
    assert "adb is not installed" in str(err.value)


def test_adb_mode_connects_the_emulator_and_names_mumu(tmp_path: Path, fake: FakeAdb) -> None:
    fake.devices.clear()
    fake.connect_answer = lambda addr: f"connected to {addr}"
    device = open_device(settings(tmp_path, adb_port=fake.port, emulator_host="127.0.0.1", mumu_port=16416))
    assert "host:connect:127.0.0.1:16416" in fake.requests
    info = device.info
    assert (info.serial, info.emulator, info.simulated) == ("127.0.0.1:16416", "MuMu 12 (instance 1)", False)
    assert "MuMu 12 (instance 1) via the ADB server at 127.0.0.1:" in info.detail
    device.close()


def test_adb_mode_with_no_emulator_is_no_device(tmp_path: Path, fake: FakeAdb) -> None:
    with pytest.raises(NoDevice) as err:
        open_device(settings(tmp_path, adb_port=fake.port, emulator_host="host.docker.internal"))
    assert str(err.value).startswith("no emulator at host.docker.internal:7555: start MuMu, enable ADB")
    assert "Connection refused" in str(err.value)


def test_offline_device(tmp_path: Path, fake: FakeAdb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adb_module, "STATE_WAIT_S", 0.0)
    fake.devices = {SERIAL: "offline"}
    with pytest.raises(DeviceOffline, match=f"{SERIAL} is offline: wait for the emulator to boot"):
        open_device(settings(tmp_path, device=fake.url))


def test_unauthorised_device(tmp_path: Path, fake: FakeAdb) -> None:
    fake.devices = {SERIAL: "unauthorized"}
    with pytest.raises(Unauthorized, match="accept the USB-debugging prompt"):
        open_device(settings(tmp_path, device=fake.url))


def test_a_device_going_offline_later_is_reported_as_offline(tmp_path: Path, fake: FakeAdb) -> None:
    fake.exec = screen_exec(pattern())
    device = open_adb(fake, tmp_path, capture="png")
    device.screencap()
    fake.devices[SERIAL] = "offline"
    with pytest.raises(DeviceOffline, match=f"screencap -p on {SERIAL}"):
        device.screencap()


def test_server_with_no_device_or_several(tmp_path: Path, fake: FakeAdb) -> None:
    fake.devices = {}
    with pytest.raises(NoDevice, match="lists no device"):
        open_device(settings(tmp_path, device=fake.url))
    fake.devices = {"a": "device", "b": "device"}
    with pytest.raises(DeviceError, match=r"lists 2 devices \(a, b\): name one as adb://HOST:PORT/SERIAL"):
        open_device(settings(tmp_path, device=fake.url))
    device = open_device(settings(tmp_path, device=f"{fake.url}/b"))
    assert device.info.serial == "b"


def test_the_simulator_is_recognised_by_its_model(tmp_path: Path, fake: FakeAdb) -> None:
    fake.shell = lambda cmd: b"AutoBangSim\n" if cmd == "getprop ro.product.model" else b""
    info = open_device(settings(tmp_path, device=fake.url)).info
    assert info.simulated and "simulated game" in info.detail
    fake.shell = lambda cmd: b"MuMu\n"
    assert not open_device(settings(tmp_path, device=fake.url)).info.simulated
    # the launcher says so for the simulator it started
    assert open_device(settings(tmp_path, device=fake.url, device_simulated=True)).info.simulated


# -- capture ----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["png", "raw"])
def test_good_frames(tmp_path: Path, fake: FakeAdb, backend: str) -> None:
    src = pattern()
    fake.exec = screen_exec(src)
    device = open_adb(fake, tmp_path, capture=backend)
    frame = device.screencap()
    assert frame.shape == (720, 1280, 3) and frame.dtype == np.uint8
    assert np.array_equal(frame, src)
    assert device.info.capture == backend and "set by AUTOBANG_CAPTURE" in device.info.detail


def test_truncated_screencaps_are_bad_frames(tmp_path: Path, fake: FakeAdb) -> None:
    full_png, full_raw = png(pattern()), raw_screencap(pattern())
    fake.exec = lambda cmd: full_png[:5000] if cmd == "screencap -p" else full_raw[:100_000]
    with pytest.raises(BadFrame, match="5000 bytes that are not an image"):
        open_adb(fake, tmp_path, capture="png").screencap()
    with pytest.raises(BadFrame, match="truncated raw screencap"):
        open_adb(fake, tmp_path, capture="raw").screencap()


@pytest.mark.parametrize("backend", ["png", "raw"])
def test_black_frames_are_never_passed_on(tmp_path: Path, fake: FakeAdb, backend: str) -> None:
    fake.exec = screen_exec(np.zeros((720, 1280, 3), np.uint8))
    with pytest.raises(BadFrame, match="the picture is black"):
        open_adb(fake, tmp_path, capture=backend).screencap()


def h264(frames: list[np.ndarray]) -> bytes:
    """What screenrecord --output-format=h264 writes: an Annex-B H.264 elementary stream."""
    codec = av.CodecContext.create("libx264", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height, codec.pix_fmt = 1280, 720, "yuv420p"
    codec.time_base = Fraction(1, 30)
    codec.options = {"preset": "ultrafast", "tune": "zerolatency"}
    out = b""
    for i, img in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = i
        out += b"".join(bytes(p) for p in codec.encode(frame))
    return out + b"".join(bytes(p) for p in codec.encode(None))


def test_stream_decodes_screenrecord_and_restarts_it_when_it_ends(tmp_path: Path, fake: FakeAdb) -> None:
    src = pattern()
    shifted = np.roll(src, 200, axis=1)
    first_video, later_video = h264([src, src, src]), h264([shifted])

    def answer(command: str) -> Answer:
        assert command == "screenrecord --output-format=h264 --size 1280x720 -"
        video = first_video if fake.count("exec:screenrecord") == 1 else later_video
        return iter([video[i : i + 4096] for i in range(0, len(video), 4096)])

    fake.exec = answer
    device = open_adb(fake, tmp_path, capture="stream")
    first = device.screencap()
    assert np.abs(first.astype(int) - src.astype(int)).mean() < 6
    capture = device._capture
    assert isinstance(capture, StreamCapture)
    # The first stream ends after 3 frames (as Android's 180 s limit ends screenrecord): the
    # reader starts it again and keeps decoding; the next one shows the shifted picture.
    until(lambda: capture.frames >= 4 and fake.count("exec:screenrecord") >= 2, "a restarted stream")
    frame = device.screencap()
    assert np.abs(frame.astype(int) - shifted.astype(int)).mean() < 6  # the newest frame, lossy
    device.close()


def test_stream_that_cannot_be_restarted_is_a_device_error_not_a_stale_frame() -> None:
    src = pattern()
    video = h264([src, src, src])
    opens: list[str] = []
    offline = threading.Event()

    class Once:
        def __init__(self, ends: bool) -> None:
            self.chunks = [video[i : i + 4096] for i in range(0, len(video), 4096)]
            self.ends = ends

        def read(self, n: int) -> bytes | None:
            if self.chunks:
                return self.chunks.pop(0)
            if self.ends:
                offline.set()  # the device goes away: the stream ends, reopening fails
                return b""
            time.sleep(0.01)
            return None  # a still screen

        def close(self) -> None: ...

    def open_stream() -> Once:
        opens.append("open")
        if offline.is_set():
            raise DeviceError("device offline (emulator-5554)")
        return Once(ends=len(opens) == 1)

    capture = StreamCapture(open_stream, first_frame_s=5.0)
    try:
        until(lambda: capture.frames >= 3 and len(opens) >= 2, "the stream ended and was reopened")
        with pytest.raises(DeviceError, match=r"screenrecord stream down: .*device offline"):
            capture.grab()
        offline.clear()  # back: the next open works, frames come again
        until(lambda: capture.frames >= 6, "frames from the new stream")
        assert np.abs(capture.grab().astype(int) - src.astype(int)).mean() < 6
    finally:
        capture.close()


def test_stream_without_screenrecord_is_a_bad_frame(tmp_path: Path, fake: FakeAdb) -> None:
    fake.exec = lambda cmd: b"/system/bin/sh: screenrecord: not found\n"
    device = open_adb(fake, tmp_path, capture="stream", device_timeout_s=1.0)
    with pytest.raises(BadFrame, match="screenrecord gave no frame in 1 s"):
        device.screencap()
    device.close()


def test_benchmark_measures_each_backend_and_auto_keeps_a_working_one(tmp_path: Path, fake: FakeAdb) -> None:
    src = pattern()
    video = h264([src] * 3)

    def answer(command: str) -> Answer:
        if command.startswith("screenrecord"):
            return iter([video])
        return raw_screencap(src) if command == "screencap" else b"not a png"

    fake.exec = answer
    device = open_adb(fake, tmp_path)
    results = benchmark(device, frames=3)
    by_name = {r.backend: r for r in results}
    assert not by_name["png"].ok and "not an image" in by_name["png"].error
    assert by_name["raw"].ok and by_name["raw"].frames == 3
    assert by_name["stream"].ok and by_name["stream"].frames == 3
    assert all(r.max_ms >= r.p95_ms >= 0 for r in results)
    best = fastest(results)
    assert best is not None and best.backend in ("raw", "stream")
    assert "fastest:" in table(results) and "png" in table(results)
    # auto: the first capture measures and keeps a backend that works
    assert np.abs(device.screencap().astype(int) - src.astype(int)).mean() < 6
    assert device.info.capture in ("raw", "stream") and "fastest measured" in device.info.detail
    assert "png failed" in device.info.detail
    device.close()


# -- input and the game -------------------------------------------------------------------------


def test_input_fallback_and_the_game(tmp_path: Path, fake: FakeAdb) -> None:
    answers = {
        "dumpsys window | grep -E 'mCurrentFocus|mFocusedApp'": (
            b"  mCurrentFocus=Window{1 u0 com.bilibili.star.bili/com.unity3d.player.UnityPlayerActivity}\n"
        ),
        "monkey -p com.bilibili.star.bili -c android.intent.category.LAUNCHER 1": b"Events injected: 1\n",
        "monkey -p com.other -c android.intent.category.LAUNCHER 1": (
            b"** No activities found to run, monkey aborted.\n"
        ),
    }
    fake.shell = lambda cmd: answers.get(cmd, b"")
    device = open_adb(fake, tmp_path)
    assert device.info.display == "1280x720" and "assumed" in device.info.detail  # wm size said nothing
    device.tap(1120, 640)
    device.swipe(640, 500, 640, 200, 300)
    device.back()
    device.start_game()
    device.stop_game()
    assert device.foreground_app() == "com.bilibili.star.bili"
    shells = [
        r for r in fake.requests if r.startswith("shell:") and "getprop" not in r and "wm size" not in r
    ]
    assert shells[:5] == [
        "shell:input tap 1120 640",
        "shell:input swipe 640 500 640 200 300",
        "shell:input keyevent 4",
        "shell:monkey -p com.bilibili.star.bili -c android.intent.category.LAUNCHER 1",
        "shell:am force-stop com.bilibili.star.bili",
    ]
    other = open_adb(fake, tmp_path, game_package="com.other")
    with pytest.raises(DeviceError, match=r"the game \(com.other\) is not installed on emulator-5554"):
        other.start_game()


# -- the display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "tap", "swipe", "touch_query"),
    [
        (b"Physical size: 1920x1080\n", "1680 960", "960 750 960 300", "display=1920x1080"),
        # A portrait panel turned a quarter (as many emulators report): the long side is the width.
        (
            b"Physical size: 900x1600\n    SurfaceOrientation: 1\n",
            "1400 800",
            "800 625 800 250",
            "rotation=90",
        ),
        (b"Physical size: 1080x2400\nOverride size: 720x1280\n", "1120 640", "640 500 640 200", "rotation=0"),
    ],
)
def test_taps_and_touches_scale_to_the_display(
    tmp_path: Path, fake: FakeAdb, answer: bytes, tap: str, swipe: str, touch_query: str
) -> None:
    fake.shell = lambda cmd: answer if cmd.startswith("wm size") else b""
    device = open_adb(fake, tmp_path)
    device.tap(1120, 640)
    device.swipe(640, 500, 640, 200, 300)
    shells = [r for r in fake.requests if r.startswith("shell:input")]
    assert shells == [f"shell:input tap {tap}", f"shell:input swipe {swipe} 300"]
    kind = "bangcheater" if "display" in touch_query else "minitouch"
    assert device._forward(kind).endswith("?" + touch_query)
    device.close()


def test_the_display_size_from_a_frame_when_wm_size_says_nothing(tmp_path: Path, fake: FakeAdb) -> None:
    fake.exec = screen_exec(cv2.resize(pattern(), (1600, 900)))
    device = open_adb(fake, tmp_path)
    assert device.info.display == "1600x900" and "the frame" in device.info.detail
    device.tap(1280, 720)
    assert "shell:input tap 1600 900" in fake.requests


@pytest.mark.parametrize(
    ("size", "aspect"), [("1280x1024", "5:4"), ("1920x1200", "8:5"), ("2400x1080", "20:9")]
)
def test_a_display_that_is_not_16_9_is_refused_on_connecting(
    tmp_path: Path, fake: FakeAdb, size: str, aspect: str
) -> None:
    fake.shell = lambda cmd: f"Physical size: {size}\n".encode() if cmd.startswith("wm size") else b""
    with pytest.raises(DeviceError, match=rf"display of {SERIAL} is {size} \({aspect}\), not 16:9.*1600x900"):
        open_adb(fake, tmp_path)


def test_sim_without_a_running_simulator_serves_pictures(tmp_path: Path) -> None:
    device = open_device(settings(tmp_path, device="sim"))
    assert isinstance(device, PictureDevice)
    assert device.info.simulated and "not running" in device.info.detail
    assert device.screencap().shape == (720, 1280, 3)
    with pytest.raises(DeviceError, match=r"AUTOBANG_DEVICE=sim scripts/up"):
        device.touch_url()


def test_a_bad_device_setting_is_a_device_error(tmp_path: Path) -> None:
    with pytest.raises(DeviceError, match="AUTOBANG_DEVICE='mumu' is not a device"):
        open_device(settings(tmp_path, device="mumu"))


def test_raw_header_word_order_is_little_endian() -> None:
    # The header the fake serves is what Android writes: u32 little-endian fields.
    data = raw_screencap(pattern())
    assert struct.unpack_from("<IIII", data) == (1280, 720, 1, 1)


def test_touch_url_forwards_the_injector_through_adb(tmp_path: Path, fake: FakeAdb) -> None:
    device = open_adb(fake, tmp_path, touch="bangcheater", bangcheater_port=12345)
    url = device.touch_url()
    kind, _, address = url.partition("://")
    host, _, rest = address.partition(":")
    port, _, query = rest.partition("?")
    assert (kind, host, query) == ("bangcheater", "127.0.0.1", "display=1280x720") and port.isdigit()
    assert fake.forwards == {f"tcp:{port}": "tcp:12345"}
    assert device.touch_url() == url and device.info.touch == "bangcheater"  # set up once
    device.close()
    assert fake.forwards == {}  # closing the device removes its forwards
    mini = open_adb(fake, tmp_path, touch="minitouch")
    assert mini.touch_url().startswith("minitouch://127.0.0.1:")
    assert list(fake.forwards.values()) == ["localabstract:minitouch"]
    mini.close()


def test_device_cli_reports_and_benchmarks(
    tmp_path: Path, fake: FakeAdb, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services import cli
    from shared.settings import get_settings

    fake.exec = screen_exec(pattern())
    monkeypatch.setenv("AUTOBANG_DEVICE", fake.url)
    monkeypatch.setenv("AUTOBANG_CAPTURE", "png")
    out = tmp_path / "bench.json"
    try:
        assert (
            cli.main(["device", "benchmark", "--frames", "2", "--backends", "png,raw", "--json", str(out)])
            == 0
        )
    finally:
        get_settings.cache_clear()
    results = {r["backend"]: r for r in json.loads(out.read_text())}
    assert set(results) == {"png", "raw"} and results["png"]["frames"] == 2 and not results["raw"]["error"]


def test_a_reader_that_fails_unexpectedly_is_an_error_never_the_last_frame() -> None:
    """The emulator restarted: opening the stream again raised something the reader did not
    expect (as ``adbutils.AdbConnectionError`` once did, an AttributeError). ``grab`` must
    raise, not hand out the frame of the dead stream for ever."""
    src = pattern()
    video = h264([src, src, src])
    opens: list[str] = []

    class Once:
        def __init__(self) -> None:
            self.chunks = [video[i : i + 4096] for i in range(0, len(video), 4096)]

        def read(self, n: int) -> bytes | None:
            return self.chunks.pop(0) if self.chunks else b""  # the emulator was killed

        def close(self) -> None: ...

    def open_stream() -> Once:
        opens.append("open")
        if len(opens) > 1:
            raise AttributeError("module 'adbutils' has no attribute 'AdbConnectionError'")
        return Once()

    capture = StreamCapture(open_stream, first_frame_s=5.0)
    try:
        until(lambda: capture.frames >= 3 and len(opens) >= 2, "the stream ended and reopening failed")
        for _ in range(3):
            with pytest.raises(DeviceError, match="reader ended: AttributeError"):
                capture.grab()
    finally:
        capture.close()


def test_a_restarted_stream_waits_for_its_own_first_frame(tmp_path: Path, fake: FakeAdb) -> None:
    """After a stream ended, the next one's first frame is the screen; the old stream's last
    frame is never returned while the new stream has sent nothing yet."""
    src = pattern()
    shifted = np.roll(src, 200, axis=1)
    first_video, later_video = h264([src]), h264([shifted])
    release, end_first = threading.Event(), threading.Event()

    def answer(command: str) -> Answer:
        if fake.count("exec:screenrecord") == 1:

            def first() -> Iterator[bytes]:
                yield first_video
                end_first.wait(30)  # then the emulator goes away

            return first()

        def later() -> Iterator[bytes]:
            release.wait(30)  # the restarted emulator is slow to send its first frame
            yield later_video

        return later()

    fake.exec = answer
    device = open_adb(fake, tmp_path, capture="stream")
    first = device.screencap()
    assert np.abs(first.astype(int) - src.astype(int)).mean() < 6
    end_first.set()
    until(lambda: fake.count("exec:screenrecord") >= 2, "the restarted stream")
    threading.Timer(0.5, release.set).start()
    frame = device.screencap()  # waits for the new stream's frame, not the old one's
    assert np.abs(frame.astype(int) - shifted.astype(int)).mean() < 6
    device.close()
