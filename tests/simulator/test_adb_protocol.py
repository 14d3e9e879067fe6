"""The simulator's ADB server driven by the real clients: adbutils and the stock adb."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import adbutils
import cv2
import numpy as np
import pytest

from tests.simulator.conftest import Running

ADB = shutil.which("adb")


def client(sim: Running) -> adbutils.AdbClient:
    return adbutils.AdbClient("127.0.0.1", sim.port)


def test_host_services(sim: Running) -> None:
    c = client(sim)
    assert c.server_version() == 41
    assert [d.serial for d in c.device_list()] == ["emulator-5554"]
    d = c.device()
    assert "shell_v2" not in d.get_features()
    assert d.get_state() == "device"
    assert "already connected" in c.connect("127.0.0.1:7555")


def test_unknown_serial_fails(sim: Running) -> None:
    with pytest.raises(adbutils.AdbError, match="not found"):
        client(sim).device("nope").shell("echo hi")


def test_shell_commands(sim: Running) -> None:
    d = client(sim).device()
    assert d.shell("getprop ro.build.version.sdk") == "32"
    assert d.shell("wm size") == "Physical size: 1280x720"
    assert d.shell("frobnicate now") == "/system/bin/sh: frobnicate: not found"
    focus = d.shell("dumpsys window")
    assert "mCurrentFocus=Window{" in focus and "com.bilibili.star.bili/" in focus
    d.shell("am force-stop com.bilibili.star.bili")
    assert "com.android.launcher3" in d.shell("dumpsys activity activities")
    d.shell("monkey -p com.bilibili.star.bili -c android.intent.category.LAUNCHER 1")
    assert "com.bilibili.star.bili" in d.shell("dumpsys activity activities")


def test_screencap_raw_and_png(sim: Running) -> None:
    d = client(sim).device()
    raw = d.shell("screencap", encoding=None)
    assert isinstance(raw, bytes)
    w, h, fmt, _space = np.frombuffer(raw[:16], "<u4")
    assert (w, h, fmt) == (1280, 720, 1) and len(raw) == 16 + 1280 * 720 * 4
    png = d.shell("screencap -p", encoding=None)
    assert isinstance(png, bytes)
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    rgba = np.frombuffer(raw[16:], np.uint8).reshape(720, 1280, 4)
    assert img is not None
    assert np.array_equal(img, cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR))


def test_input_reaches_the_game(sim: Running) -> None:
    d = client(sim).device()
    assert sim.call(lambda: sim.emu.game.view(sim.emu.clock()).state) == "main_page"
    d.shell("input tap 20 700")  # nothing there
    assert sim.call(lambda: sim.emu.game.state) == "main_page"
    d.shell("input tap 1120 640")
    assert sim.call(lambda: sim.emu.game.state) == "playmode"
    d.shell("input keyevent KEYCODE_BACK")
    assert sim.call(lambda: sim.emu.game.state) == "main_page"


def test_forward_tunnels_to_the_touch_servers(sim: Running) -> None:
    d = client(sim).device()
    port = d.forward_port(12345)
    assert any(f.remote == "tcp:12345" for f in d.forward_list())
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"p\n")
        assert s.recv(64) == b"BANGCHEATERCONTROLLERREADY\n"
    mt = d.forward_port("localabstract:minitouch")
    with socket.create_connection(("127.0.0.1", mt), timeout=5) as s:
        f = s.makefile("rb")
        assert [f.readline() for _ in range(2)] == [b"v 1\n", b"^ 10 32767 32767 255\n"]
    d.forward_remove_all()
    assert d.forward_list() == []


def test_device_service_tcp_goes_straight_to_the_touch_server(sim: Running) -> None:
    c = client(sim)
    conn = c.device().open_transport()
    conn.send_command("tcp:12345")
    conn.check_okay()
    conn.send(b"p\n")
    assert conn.read(27) == b"BANGCHEATERCONTROLLERREADY\n"
    conn.close()


def test_screenrecord_streams_h264(sim: Running) -> None:
    import av

    d = client(sim).device()
    stream = d.shell("screenrecord --output-format=h264 --size 640x360 --time-limit 1 -", stream=True)
    data = stream.read_until_close(encoding=None)
    assert isinstance(data, bytes) and data[:4] == b"\x00\x00\x00\x01"
    codec = av.CodecContext.create("h264", "r")
    frames = [f for p in codec.parse(data) for f in codec.decode(p)]
    assert len(frames) >= 10 and (frames[0].width, frames[0].height) == (640, 360)


def stock_adb(sim: Running, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert ADB is not None, "the stock adb client is missing: scripts/bootstrap --test installs it"
    # -H/-P point the stock client at the simulator, which is the server: it needs none of
    # its own. A fresh HOME keeps it from touching the user's ~/.android.
    home = tempfile.mkdtemp(prefix="adbhome-")
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "ANDROID_ADB_SERVER_PORT": str(sim.port)}
    return subprocess.run(
        [ADB, "-H", "127.0.0.1", "-P", str(sim.port), *args], capture_output=True, timeout=20, env=env
    )


def test_stock_adb_devices(sim: Running) -> None:
    out = stock_adb(sim, "devices")
    assert out.returncode == 0, out.stderr
    assert b"emulator-5554\tdevice" in out.stdout


def test_stock_adb_screencap_png(sim: Running, tmp_path: Path) -> None:
    out = stock_adb(sim, "exec-out", "screencap", "-p")
    assert out.returncode == 0, out.stderr
    img = cv2.imdecode(np.frombuffer(out.stdout, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape == (720, 1280, 3)


def test_stock_adb_shell_input_tap(sim: Running) -> None:
    assert sim.call(lambda: sim.emu.game.view(sim.emu.clock()).state) == "main_page"
    out = stock_adb(sim, "shell", "input", "tap", "1120", "640")
    assert out.returncode == 0, out.stderr
    assert sim.call(lambda: sim.emu.game.state) == "playmode"
    out = stock_adb(sim, "forward", "tcp:0", "tcp:12345")
    assert out.returncode == 0 and int(out.stdout) > 0
