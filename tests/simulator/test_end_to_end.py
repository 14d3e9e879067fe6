"""End to end: ``autobang simulator`` as a process, driven only the way a real emulator is
(ADB for frames and taps, minitouch behind ``adb forward`` for the play). The client finds
the play's timing from the frames alone (the first falling note's depth and the
first-note curve of ``shared.playfield``) and plays a cut chart; the report must say
AllPerfect."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import adbutils
import cv2
import numpy as np
import pytest

from services.simulator.charts import ChartSource
from services.simulator.run import READY_PREFIX
from services.testing.stack import end_process
from shared.playfield import NOTE_COLOURS, TRACK, depth, shipped_coefficients, time_to_judge
from tests.simulator.player import perfect_touches

pytestmark = pytest.mark.stack

SCENARIO = {
    "seed": 3,
    "mode": "Free",
    "songs": [316],
    "difficulty": 3,
    "max_song_s": 6.0,
    "delays": {"app_start": 0.3, "loading": 0.3, "lead_in": 2.0, "after_song": 0.5, "award_loading": 0.3},
    # Wide windows: this test checks the path (T0 from the frames, lanes, kinds, swipes),
    # not a shared machine's scheduling, which at load 12-15 on 2 cores delays a process by
    # up to ~130 ms now and then (errors are otherwise under ~25 ms); test_judge checks the
    # default windows' exact edges.
    "judge": {"perfect_ms": 150, "great_ms": 170, "good_ms": 190, "bad_ms": 210},
}


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[dict[str, int], Path]]:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "simulator", "--scenario", str(scenario), "--port", "0",
         "--data-dir", str(data)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info: dict[str, int] = {}
        for line in proc.stdout:
            if line.startswith(READY_PREFIX):
                info = json.loads(line[len(READY_PREFIX) :])
                break
        assert info, "the simulator did not announce its ports"
        yield info, data
    finally:
        end_process(proc, signal.SIGINT)


def frame(d: adbutils.AdbDevice) -> tuple[float, np.ndarray]:
    """(when the capture was asked for, BGR frame) from raw ``screencap``, read into one
    buffer (the cheapest capture here: no PNG to encode or decode). The time is taken on
    an open transport, just before the request, as close to the capture as a client can
    know it."""
    conn = d.open_transport()
    try:
        t = time.monotonic()
        conn.send_command("shell:screencap")
        conn.check_okay()
        buf = bytearray()
        while chunk := conn.conn.recv(1 << 20):
            buf += chunk
    finally:
        conn.close()
    w, h = np.frombuffer(bytes(buf[:8]), "<u4")
    rgba = np.frombuffer(buf, np.uint8, offset=16).reshape(int(h), int(w), 4)
    return t, cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR)


def health_on(img: np.ndarray) -> bool:
    from shared.playfield import HEALTH_PIXEL, HEALTH_RANGE

    x, y = HEALTH_PIXEL
    h, s, v = cv2.cvtColor(img[y : y + 1, x : x + 1], cv2.COLOR_BGR2HSV)[0, 0]
    return HEALTH_RANGE.contains((int(h), int(s), int(v)))


def lowest_note_y(img: np.ndarray, scale: int = 1) -> float | None:
    """Centre y of the note nearest the judge line, from the HSV note masks (``scale``:
    the image is 1/scale of the frame)."""
    x1, y1, x2, y2 = (v // scale for v in TRACK)
    hsv = cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
    mask = np.zeros(hsv.shape[:2], bool)
    for ranges in NOTE_COLOURS.values():
        for r in ranges:
            mask |= cv2.inRange(hsv, np.array(r.lo), np.array(r.hi)) > 0
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    bottom = rows[-1]
    run = [bottom]
    for r in rows[::-1][1:]:
        if r != run[-1] - 1:
            break
        run.append(r)
    return (float(np.mean(run)) + y1) * scale + (scale - 1) / 2


def tap(d: adbutils.AdbDevice, x: int, y: int) -> None:
    d.shell(f"input tap {x} {y}")


def wait_state(d: adbutils.AdbDevice, cond: object, what: str, timeout: float = 15) -> np.ndarray:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        _, img = frame(d)
        if callable(cond) and cond(img):
            return img
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_play_a_cut_chart_all_perfect(simulator: tuple[dict[str, int], Path]) -> None:
    info, data = simulator
    d = adbutils.AdbClient("127.0.0.1", info["adb"]).device()
    # The scenario's waits (app start, loading) plus a margin: taps on a loading screen do
    # nothing, as in the game.
    time.sleep(0.8)
    tap(d, 1120, 640)  # main_page -> play mode
    tap(d, 800, 480)  # Free live -> song select
    time.sleep(0.8)
    tap(d, 1060, 540)  # Expert
    tap(d, 1080, 620)  # confirm -> ready
    tap(d, 141, 649)  # live mode 3D -> MV
    tap(d, 141, 649)  # MV -> OFF
    tap(d, 500, 650)  # 3D cut-in off
    # The touch channel is ready before the song starts, as the play engine's is.
    port = d.forward_port(1111)
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    header = [f.readline().decode().split() for _ in range(2)]
    max_x, max_y = int(header[1][2]), int(header[1][3])
    tap(d, 1120, 600)  # start
    wait_state(d, health_on, "the play to start")

    # T0 + first note time from the first note's depth. It is on screen for only ~0.6 s,
    # so two capture threads keep requests dense on a loaded machine; each sample is
    # (request time, depth).
    c = shipped_coefficients()
    chart, _ = ChartSource(None, SCENARIO["max_song_s"]).load(316, 3)  # type: ignore[arg-type]
    first = chart.first_note_s
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def capture() -> None:
        while not stop.is_set():
            t, img = frame(d)
            y = lowest_note_y(img)
            if y is not None and not stop.is_set():
                samples.append((t, depth(y)))

    threads = [threading.Thread(target=capture, daemon=True) for _ in range(2)]
    for th in threads:
        th.start()
    end = time.monotonic() + 15
    while not samples and time.monotonic() < end:
        time.sleep(0.005)
    assert samples, "no falling note seen"
    stop.set()
    t_first, d_first = min(samples)  # the earliest: the first note, not a later one
    t0 = t_first + time_to_judge(d_first, c) - first

    with s:
        groups: dict[float, list[str]] = {}
        for tt, kind, contact, x, yy in perfect_touches(chart):
            xy = f"{round(x / 1280 * max_x)} {round(yy / 720 * max_y)}"
            groups.setdefault(tt, []).append(f"u {contact}" if kind == "u" else f"{kind} {contact} {xy} 50")
        for tt in sorted(groups):
            due = t0 + tt
            while (left := due - time.monotonic()) > 0.002:
                time.sleep(left - 0.002)
            while time.monotonic() < due:
                pass
            s.sendall(("\n".join(groups[tt]) + "\nc\n").encode())
        f.close()

    wait_state(d, lambda img: not health_on(img), "the result", timeout=10)
    report_file = data / "simulator" / "report.json"
    end = time.monotonic() + 10
    while time.monotonic() < end:
        report = json.loads(report_file.read_text())
        if report["plays"]:
            break
        time.sleep(0.2)
    play = report["plays"][0]
    assert play["song"] == 316 and play["notes"] == chart.note_count
    assert play["counts"]["miss"] == 0, json.dumps([play, samples])
    assert play["all_perfect"], json.dumps(play)
    assert report["protocol_violations"] == 0
    assert report["offered"][0]["song"] == 316
