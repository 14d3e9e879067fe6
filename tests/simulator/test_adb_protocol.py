"""The simulator's ADB server driven by the real clients: adbutils and the stock adb."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
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


def test_command_lists_exit_status_and_pipes(sim: Running) -> None:
    d = client(sim).device()
    assert d.shell2("frobnicate").returncode == 127  # adbutils appends "; echo X4EXIT:$?"
    ok = d.shell2("echo hi")
    assert ok.returncode == 0 and ok.output == "hi\n"
    assert "mCurrentFocus=" in d.shell("dumpsys window | grep -E 'mCurrentFocus|mFocusedApp'")


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


def test_adb_disconnect_and_slow_capture_faults(tmp_path: Path) -> None:
    from services.simulator.scenario import Delays, Fault, Scenario
    from tests.simulator.conftest import start_emulator, state_colour

    faults = [Fault(kind="adb_disconnect", at_s=0, duration_s=1.0), Fault(kind="slow", at_s=0, duration_s=30)]
    sc = Scenario(delays=Delays(app_start=0), faults=faults)
    for sim in start_emulator(sc, tmp_path, state_colour):
        c = client(sim)
        out = c.make_connection()
        out.send_command("host:devices")
        out.check_okay()
        assert out.read_string_block() == "emulator-5554\toffline\n"
        out.close()
        with pytest.raises(adbutils.AdbError, match="device/emulator"):
            c.device()  # adbutils finds no device in state "device"
        with pytest.raises(adbutils.AdbError, match="offline"):
            c.device("emulator-5554").shell("echo hi")
        time.sleep(1.1)
        d = c.device()
        assert d.shell("echo hi") == "hi"
        t = time.monotonic()
        d.shell("screencap -p", encoding=None)
        assert time.monotonic() - t >= 0.3  # the slow device's capture latency
        report = sim.emu.game.faults
        assert [f.kind for f in report] == ["adb_disconnect", "slow"] and report[0].left is not None


def test_stock_adb_push(sim: Running, tmp_path: Path) -> None:
    sheet = tmp_path / "commands.sheet"
    sheet.write_bytes(b"b 0\nt 0\nd 0 194 590\n")
    out = stock_adb(sim, "push", str(sheet), "/data/local/tmp/commands.sheet")
    assert out.returncode == 0, out.stderr
    assert sim.emu.files["/data/local/tmp/commands.sheet"] == sheet.read_bytes()


def test_frames_follow_an_unknown_screen_fault(tmp_path: Path) -> None:
    from services.simulator.scenario import Delays, Fault, Scenario
    from tests.simulator.conftest import start_emulator, state_colour

    sc = Scenario(delays=Delays(app_start=0), faults=[Fault(kind="unknown", at_s=0, duration_s=0.5)])
    for sim in start_emulator(sc, tmp_path, state_colour):
        d = client(sim).device()

        assert first_pixel(d) == 8 + 7 * 34  # the unknown screen
        time.sleep(0.6)
        assert first_pixel(d) == 8 + 7 * 17  # main_page, once the fault is over


def first_pixel(d: adbutils.AdbDevice) -> int:
    raw = d.shell("screencap", encoding=None)
    assert isinstance(raw, bytes)
    return raw[16]


def test_screenrecord_beyond_the_display_is_refused(sim: Running) -> None:
    d = client(sim).device()
    out = d.shell("screenrecord --output-format=h264 --size 7680x7680 --time-limit 1 -", stream=True)
    text = out.read_until_close(encoding=None)
    assert isinstance(text, bytes) and b"larger than the display" in text, text[:200]


def test_pushed_files_are_bounded(sim: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.simulator import adb_server

    monkeypatch.setattr(adb_server, "PUSH_MAX_BYTES", 1 << 20)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (2 << 20))
    out = stock_adb(sim, "push", str(big), "/data/local/tmp/big.bin")
    assert out.returncode != 0 and b"no space left" in out.stdout + out.stderr, out
    assert "/data/local/tmp/big.bin" not in sim.emu.files
    small = tmp_path / "small.bin"
    small.write_bytes(b"y" * 1000)
    assert stock_adb(sim, "push", str(small), "/data/local/tmp/small.bin").returncode == 0
