"""The workflow through the real stack (``autobang up``: gateway, Redis, the workflow's RQ
worker with its real body) against the simulator's ADB server, as a user runs it with
``AUTOBANG_DEVICE=adb://127.0.0.1:PORT``. The simulator draws the playfield with notes
falling along a known curve (TRUTH), on its own clock."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from services.simulator.draw import Frame
from services.simulator.emulator import Emulator
from services.simulator.field import LIFE_BGR
from services.simulator.game import GameView
from services.simulator.scenario import Delays, Scenario
from services.testing.stack import Stack, start, start_stack, wait_state
from services.workflow import curve
from shared.playfield import HEALTH_PIXEL, HEALTH_RANGE, current_coefficients, shipped_coefficients
from tests.conftest import free_port
from tests.simulator.conftest import Running
from tests.workflow.drawn import falling

pytestmark = pytest.mark.stack

# The shipped v1 slowed down three times (1.8 s from the top line to the judge line): a
# busy machine captures the simulator at 2-10 fps, and a note must be seen in 3 frames to
# make a track. Same shape as v1, so the (short-trace) scale-only refit can reach it.
_v1 = shipped_coefficients("v1")
TRUTH = (3 * _v1[0], 3 * _v1[1], _v1[2], 3 * _v1[3], _v1[4])
KINDS = ("tap", "long", "flick", "skill")
PERIOD_S = 0.35  # a note judged every PERIOD_S, lanes and kinds cycling


def song(view: GameView) -> np.ndarray:
    """A song that never ends: the notes around now, where the curve puts them."""
    now = time.monotonic()
    k0 = int(now / PERIOD_S)
    notes = [((k0 + j) * PERIOD_S, (k0 + j) % 7, KINDS[(k0 + j) % 4]) for j in range(-1, 7)]
    return falling(now, notes, TRUTH)


class SongEmulator(Emulator):
    """The simulator with every capture drawn afresh: it draws outside of play only when
    the screen changes (a cache by view), and this song is drawn over whatever screen the
    game is on, without driving it through the menus."""

    async def _frame_async(self) -> Frame:
        return await asyncio.to_thread(self.renderer, self.game.view(self.clock()))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emu = SongEmulator(
        Scenario(seed=3, delays=Delays(app_start=0)), tmp_path_factory.mktemp("sim"), renderer=song
    )
    asyncio.run_coroutine_threadsafe(emu.start(0), loop).result(10)
    try:
        yield Running(emu, loop)
    finally:
        asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture(scope="module")
def live(sim: Running, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = start_stack(
        tmp_path_factory.mktemp("wf") / "data",
        free_port(),
        test_bodies=False,
        # raw capture: "auto" benchmarks the stream backend too, whose close fails in
        # adbutils (AttributeError on a closed connection; shared/device, reported).
        env={"AUTOBANG_DEVICE": f"adb://127.0.0.1:{sim.port}", "AUTOBANG_CAPTURE": "raw"},
    )
    yield s
    s.stop()


def configure(live: Stack, **cfg: Any) -> None:
    resp = httpx.post(f"{live.url}/api/workflow/update_config", json=cfg, timeout=10)
    assert resp.status_code == 200, resp.text


def idle(live: Stack) -> dict[str, Any]:
    return wait_state(
        live.url, "workflow", lambda s: s["status"] not in ("queued", "running", "stopping"), log=live.log
    )


def stop(live: Stack) -> dict[str, Any]:
    httpx.post(f"{live.url}/api/workflow/stop", timeout=10)
    return idle(live)


def frames_seen(live: Stack, n: int) -> dict[str, Any]:
    return wait_state(live.url, "workflow", lambda s: s.get("fields", {}).get("frames", 0) >= n, log=live.log)


def frame_png(live: Stack, kind: str = "frame") -> np.ndarray:
    resp = httpx.get(f"{live.url}/api/workflow/images/{kind}", timeout=10)
    assert resp.status_code == 200, resp.text
    img = cv2.imdecode(np.frombuffer(resp.content, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def test_capture_shows_frames_probes_colours_and_saves_the_frame(live: Stack) -> None:
    configure(live, workflow_mode="Capture", frame_rate=5, frame_folder="ui_inbox")
    start(live.url, "workflow", "workflow")
    state = frames_seen(live, 2)
    fields = state["fields"]
    assert fields["mode"] == "Capture" and fields["fps"] > 0 and fields["capture"]
    assert frame_png(live).shape == (720, 1280, 3)
    # The probe reads the health pixel the simulator drew, exactly.
    x, y = HEALTH_PIXEL
    color = httpx.get(f"{live.url}/api/workflow/color", params={"x": x, "y": y}, timeout=10).json()
    want = cv2.cvtColor(np.array([[LIFE_BGR]], np.uint8), cv2.COLOR_BGR2HSV)[0, 0]
    assert tuple(color["hsv"]) == tuple(int(v) for v in want) and HEALTH_RANGE.contains(tuple(color["hsv"]))
    assert tuple(color["bgr"]) == LIFE_BGR
    # Save the frame shown: it lands in the UI inbox named by time and state.
    saved = httpx.post(f"{live.url}/api/workflow/frames", params={"state": "playing"}, timeout=10)
    assert saved.status_code == 200, saved.text
    path = saved.json()["path"]
    assert path.startswith("ui_recognition/inbox/") and path.endswith("_playing.png")
    assert (live.data_dir / path).is_file()
    listing = httpx.get(f"{live.url}/api/workflow/frames", timeout=10).json()
    assert Path(path).name in listing["files"]
    bad = httpx.post(f"{live.url}/api/workflow/frames", params={"folder": "desktop"}, timeout=10)
    assert bad.status_code == 422
    assert stop(live)["status"] == "stopped"


def prompt_of(live: Stack) -> dict[str, Any]:
    state = wait_state(
        live.url, "workflow", lambda s: bool(s.get("prompt")) and not s["prompt"].get("closed"), log=live.log
    )
    return dict(state["prompt"])


def reply(live: Stack, prompt: dict[str, Any], answer: str, text: str | None = None) -> None:
    body = {"answer": answer, "text": text, "prompt_id": prompt["prompt_id"]}
    resp = httpx.post(f"{live.url}/api/workflow/reply", json=body, timeout=10)
    assert resp.status_code == 200, resp.text


def test_saved_frames_appear_in_the_walk_through_with_the_overlay(live: Stack) -> None:
    for _ in range(2):  # two more saved frames (the first test saved one)
        configure(live, workflow_mode="Capture", frame_rate=5)
        start(live.url, "workflow", "workflow")
        frames_seen(live, 1)
        assert httpx.post(
            f"{live.url}/api/workflow/frames", params={"state": "playing"}, timeout=10
        ).is_success
        stop(live)
    files = httpx.get(f"{live.url}/api/workflow/frames", timeout=10).json()["files"]
    assert len(files) >= 2
    configure(live, workflow_mode="WalkThroughSheet")
    start(live.url, "workflow", "workflow")
    p = prompt_of(live)
    assert p["prompt"].startswith(f"frame 1/{len(files)}: {files[0]}")
    assert frame_png(live, "overlay").shape == (720, 1280, 3)
    images = {i["kind"]: i for i in httpx.get(f"{live.url}/api/workflow/images", timeout=10).json()}
    notes = images["overlay"]["meta"]["notes"]
    assert notes and all(kind in KINDS for kind, _ in notes)  # the falling notes were marked
    reply(live, p, "Yes")  # next
    p2 = prompt_of(live)
    assert p2["prompt"].startswith(f"frame 2/{len(files)}: {files[1]}")
    reply(live, p2, "No", "ready")  # label it
    p3 = prompt_of(live)
    assert (live.data_dir / "ui_recognition" / "imgs" / "ready" / files[1]).is_file()
    assert f"/{len(files) - 1}:" in p3["prompt"]
    reply(live, p3, "Stop")
    assert idle(live)["status"] == "finished"


def test_a_trace_of_simulated_frames_refits_to_the_drawn_curve(live: Stack) -> None:
    assert current_coefficients(live.data_dir) == shipped_coefficients("v1")
    configure(live, workflow_mode="TraceNote", trace_duration_s=15, save_coefficients=True)
    start(live.url, "workflow", "workflow")
    time.sleep(15)  # the simulator draws in this process: no polling while it is traced
    state = idle(live)
    assert state["status"] == "finished", (state["error"], state["fields"])
    fields = state["fields"]
    fitted = tuple(fields["coefficients"])
    gap = curve.max_curve_gap_ms(fitted, TRUTH, 0.05, 0.95)
    (saved_trace,) = (live.data_dir / "workflow" / "traces").glob("*_TraceNote.json")
    jitter = curve.residuals(curve.note_tracks(json.loads(saved_trace.read_text())), TRUTH).rms_ms
    print(
        f"TraceNote over the stack: {fields}; jitter {jitter:.2f} ms rms; gap to the drawn curve {gap:.2f} ms"
    )
    # Capture over ADB on this shared machine (2-10 fps, 3-10 ms rms timing jitter against
    # the drawn curve) is far noisier than drawing (~1 ms, test_curve.py). Measured: the
    # fitted curve within 2.1 ms of the drawn one over depths 0.05..0.95 (7 fps, 110
    # frames, 44 notes, 8.3 ms jitter); the bound leaves room for a busier machine.
    assert fields["fit_rms_ms"] <= fields["previous_rms_ms"] + 1e-6  # never worse than the start
    assert gap < 25.0
    assert fitted != shipped_coefficients("v1")  # refitted, not the curve it started from
    assert current_coefficients(live.data_dir) == pytest.approx(fitted, abs=1e-9)  # saved: the engine's now
    assert frame_png(live, "fit").shape[0] > 100
