"""Any 16:9 display, through the device layer and the real simulator: ``wm size`` reports
the scenario's display, frames come at that size and reach the product as 1280x720, and
taps, swipes and every multitouch contact (minitouch on a rotated portrait panel,
bangcheater in display pixels) land where the 1280x720 frame says. A display that is not
16:9 is refused on connecting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from services.scriptor.play import compile_chart
from services.scriptor.play.player import Player
from services.simulator.judge import judge
from services.simulator.scenario import Delays, Scenario, Touch
from services.testing.charts import cut, shipped
from shared.device.adb import AdbDevice
from shared.device.display import Display, parse_probe
from shared.device.errors import UnsupportedDisplay
from shared.device.factory import open_device
from tests.device.helpers import settings, until
from tests.device.sim_device import Recorder, near, screen
from tests.simulator.conftest import Running, start_emulator


def test_the_probe_answer_is_read_as_a_landscape_display() -> None:
    assert parse_probe("Physical size: 1920x1080\n") == Display(1920, 1080, 0, "wm size")
    d = parse_probe("Physical size: 1080x1920\n  SurfaceOrientation: 3\n")
    assert d is not None and (d.size, d.rotation) == ("1920x1080", 270)
    d = parse_probe("Physical size: 1440x2560\nOverride size: 900x1600\n  mCurrentRotation=ROTATION_90\n")
    assert d is not None and (d.size, d.rotation) == ("1600x900", 90)
    assert parse_probe("/system/bin/sh: wm: not found\n") is None
    assert Display(1600, 900).scale(1280, 720) == (1600, 900)
    assert Display(1366, 768).check("x").size == "1366x768"  # 16:9 to the pixel row
    with pytest.raises(UnsupportedDisplay, match=r"1280x800 \(8:5\), not 16:9"):
        Display(1280, 800).check("x")


def run_sim(tmp_path: Path, display: tuple[int, int], rotation: Literal[0, 90] = 0) -> Iterator[Running]:
    scenario = Scenario(
        seed=1,
        delays=Delays(app_start=0),
        display=display,
        touch=Touch(rotation=rotation),
    )
    yield from start_emulator(scenario, tmp_path / "sim", screen)


@pytest.fixture(params=[((1920, 1080), 0), ((1600, 900), 90)], ids=["1920x1080", "1600x900-portrait-panel"])
def big(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    display, rotation = request.param
    yield from run_sim(tmp_path, display, rotation)


def open_sim(sim: Running, tmp_path: Path, **values: object) -> AdbDevice:
    device = open_device(settings(tmp_path, device=f"adb://127.0.0.1:{sim.port}", **values))
    assert isinstance(device, AdbDevice)
    return device


def test_frames_input_and_touch_scale_to_the_display(big: Running, tmp_path: Path) -> None:
    w, h = big.emu.display
    device = open_sim(big, tmp_path, capture="raw")
    assert device.info.display == f"{w}x{h}" and f"display {w}x{h} (wm size)" in device.info.detail
    raw = device.exec_out("screencap")
    assert raw[:8] == np.array([w, h], "<u4").tobytes()  # the device's frame is at its size
    frame = device.screencap()
    drawn = screen(big.call(lambda: big.emu.game.view(big.emu.clock())))
    assert frame.shape == (720, 1280, 3) and np.abs(frame.astype(int) - drawn.astype(int)).mean() < 6
    rec = Recorder(big)
    device.tap(1120, 640)
    device.swipe(200, 600, 1000, 100, 50)
    until(lambda: len(rec.points("input")) >= 4, "the tap and the swipe")
    taps = rec.points("input")
    assert [k for k, _, _ in taps[:3]] == ["d", "u", "d"]
    assert (
        near(taps[0][1:], (1120, 640)) and near(taps[2][1:], (200, 600)) and near(taps[-1][1:], (1000, 100))
    )
    for kind in ("minitouch", "bangcheater"):
        rec.commits.clear()
        dev = open_sim(big, tmp_path, touch=kind)
        channel = dev.touch()
        try:
            channel.down(0, 300, 500)
            channel.down(1, 1100, 200)
            channel.commit()
            channel.up(0)
            channel.up(1)
            channel.commit()
        finally:
            channel.close()
        until(lambda: len(rec.points(kind)) >= 4, f"{kind} contacts")  # noqa: B023
        down = sorted(p[1:] for p in rec.points(kind) if p[0] == "d")
        assert len(down) == 2 and near(down[0], (300, 500), 1.5) and near(down[1], (1100, 200), 1.5), (
            kind,
            dev.touch_url(),
            down,
        )
        dev.close()
    assert big.emu.touch.violations == []
    device.close()


@pytest.mark.real_clock
@pytest.mark.parametrize("kind", ["minitouch", "bangcheater"])
def test_the_play_engine_hits_every_note_on_a_1920x1080_display(tmp_path: Path, kind: str) -> None:
    for sim in run_sim(tmp_path, (1920, 1080), 90 if kind == "minitouch" else 0):
        device = open_sim(sim, tmp_path, touch=kind)
        rec = Recorder(sim)
        c = cut(shipped("689_4"), 9.0)  # taps, flicks, long notes, slides
        plan = compile_chart(c)
        with Player(device.touch_url()) as player:
            t0 = time.monotonic() + 0.5 - plan.frames[0].t_us / 1e6
            stats = player.play(plan, t0)
        time.sleep(0.2)
        assert stats.ok, stats
        result = judge(c, t0, [k for k in rec.commits if k.source == kind])
        counts = result.counts()
        # Every note in its lane (a contact scaled wrongly lands in another lane: a miss);
        # on a shared machine a stall can cost a Perfect, never the combo.
        assert result.full_combo and len(result.results) == c.note_count, counts
        assert counts["perfect"] >= 0.9 * c.note_count, counts
        assert sim.emu.touch.violations == []
        device.close()


def test_a_display_that_is_not_16_9_is_refused(tmp_path: Path) -> None:
    for sim in run_sim(tmp_path, (1280, 1024)):
        with pytest.raises(UnsupportedDisplay, match=r"is 1280x1024 \(5:4\), not 16:9.*1920x1080"):
            open_sim(sim, tmp_path)


def test_the_dashboard_hint_for_a_display_that_is_not_16_9(tmp_path: Path) -> None:
    from services.gateway.routes.device import hint_for
    from shared.device.display import ADVICE

    error = "the display of emulator-5554 is 1280x1024 (5:4), not 16:9: ..."
    assert hint_for(settings(tmp_path, device="adb"), error) == ADVICE  # not "start MuMu"
