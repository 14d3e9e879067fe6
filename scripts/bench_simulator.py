"""Benchmark the simulated emulator over loopback, through the same path a real emulator
is driven: frames per second by ``screencap`` raw, ``screencap -p`` (PNG) and the
``screenrecord`` H.264 stream (decoded with PyAV), and the touch round trip (a
bangcheater ``t`` through ``adb forward``). Starts ``autobang simulator`` as a process on
the playfield; prints numbers (record them in docs/performance.md).

    .venv/bin/python scripts/bench_simulator.py [seconds per path, default 5]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import adbutils  # noqa: E402
import av  # noqa: E402

from services.simulator.run import READY_PREFIX  # noqa: E402
from shared.catalogue import button  # noqa: E402

SCENARIO = {"songs": [316], "fps": 60, "delays": {"app_start": 0.2, "loading": 0.2, "lead_in": 1.0}}


def start(tmp: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    (tmp / "scenario.json").write_text(json.dumps(SCENARIO))
    argv = [sys.executable, "-m", "services.cli", "simulator", "--port", "0", "--data-dir", str(tmp / "data")]
    proc = subprocess.Popen(
        [*argv, "--scenario", str(tmp / "scenario.json")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(READY_PREFIX):
            return proc, json.loads(line[len(READY_PREFIX) :])
    raise SystemExit("the simulator did not start")


def to_playfield(d: adbutils.AdbDevice) -> None:
    time.sleep(0.4)
    for state, name in (("main_page", "live"), ("playmode", "free")):
        x, y = button(state, name).tap_point
        d.shell(f"input tap {x} {y}")
    time.sleep(0.4)
    for state, name in (("choose", "confirm"), ("ready", "start")):
        x, y = button(state, name).tap_point
        d.shell(f"input tap {x} {y}")
    time.sleep(0.5)


def capture(d: adbutils.AdbDevice, command: str) -> int:
    """One capture read into a growing buffer (adbutils' own ``read_until_close`` joins
    4 KiB chunks with ``+=``, quadratic for the 3.7 MB raw frame)."""
    conn = d.open_transport()
    try:
        conn.send_command(f"shell:{command}")
        conn.check_okay()
        buf = bytearray()
        while chunk := conn.conn.recv(1 << 20):
            buf += chunk
        return len(buf)
    finally:
        conn.close()


def fps_of(d: adbutils.AdbDevice, command: str, seconds: float, reader: str) -> tuple[float, float]:
    """(frames per second, median ms per frame) of back-to-back captures."""
    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter()
        if reader == "adbutils":
            d.shell(command, encoding=None)
        else:
            capture(d, command)
        times.append(time.perf_counter() - t)
    return len(times) / sum(times), statistics.median(times) * 1000


def stream_fps(d: adbutils.AdbDevice, seconds: float) -> float:
    stream = d.shell(
        f"screenrecord --output-format=h264 --size 1280x720 --time-limit {seconds:g} -", stream=True
    )
    codec = av.CodecContext.create("h264", "r")
    n = 0
    first = 0.0
    while chunk := stream.conn.recv(65536):
        for packet in codec.parse(chunk):
            for _ in codec.decode(packet):
                n += 1
                if n == 1:
                    first = time.perf_counter()
    stream.close()
    return (n - 1) / (time.perf_counter() - first) if n > 1 else 0.0


def touch_round_trip(d: adbutils.AdbDevice, n: int = 200) -> tuple[float, float]:
    port = d.forward_port(12345)
    with socket.create_connection(("127.0.0.1", port)) as s:
        f = s.makefile("rb")
        s.sendall(b"p\n")
        f.readline()
        times = []
        for _ in range(n):
            t = time.perf_counter()
            s.sendall(b"t 0 0 1000000\n")
            f.readline()
            times.append(time.perf_counter() - t)
        f.close()
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    with tempfile.TemporaryDirectory() as tmp:
        proc, info = start(Path(tmp))
        try:
            d = adbutils.AdbClient("127.0.0.1", info["adb"]).device()
            to_playfield(d)
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; playing screen")
            for name, cmd in (("screencap raw", "screencap"), ("screencap -p (PNG)", "screencap -p")):
                for reader in ("socket", "adbutils"):
                    fps, ms = fps_of(d, cmd, seconds / 2 if reader == "adbutils" else seconds, reader)
                    print(f"{name:20s} {reader:9s} {fps:6.1f} fps  ({ms:.0f} ms median per frame)")
            print(f"{'screenrecord h264':30s} {stream_fps(d, seconds):6.1f} fps  (decoded here with PyAV)")
            p50, p95 = touch_round_trip(d)
            print(f"touch round trip (bangcheater t over adb forward): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(10)


if __name__ == "__main__":
    main()
