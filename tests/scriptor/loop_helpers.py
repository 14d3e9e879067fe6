"""The scriptor loop against a scripted device: the device, its fake player and a loop made
with a recording task context (shared by the loop's test modules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from services.scriptor.loop import Scriptor
from services.scriptor.play import PlayOptions, compile_chart
from services.scriptor.tools import SongGuess, Tools
from services.simulator.screens import ResultCounts, ScreenView, SongCard, render
from shared.catalog import load_catalog
from shared.chart.library import ChartLibrary
from shared.config.scriptor import ScriptorConfig
from shared.data import CHARTS_DIR
from shared.device import DeviceError, DeviceInfo
from tests.task_double import RecordingContext

CHARTS = CHARTS_DIR


@dataclass
class ScriptedDevice:
    """A game whose screen is ``state``; ``moves`` says where a tap at (x, y) leads."""

    state: str
    moves: dict[tuple[str, int, int], str] = field(default_factory=dict)
    result: ResultCounts | None = None
    song: SongCard | None = None  # the song song select / ready show (None: none drawn)
    live_mode: str = "off"  # the ready screen's controls, already off
    cut_in: bool = False
    taps: list[tuple[int, int]] = field(default_factory=list)
    backs: int = 0
    fail_next: int = 0
    fail_taps: int = 0
    front: str = "com.bilibili.star.bili/com.unity3d.player.UnityPlayerActivity"
    starts: int = 0
    info: DeviceInfo = field(default_factory=lambda: DeviceInfo("sim", "test", True, "raw", "input"))

    def screencap(self) -> Any:
        if self.fail_next:
            self.fail_next -= 1
            raise DeviceError("no emulator at 127.0.0.1:7555")
        return render(
            ScreenView(
                state=self.state,
                song=self.song,
                result=self.result if self.state == "award" else None,
                live_mode=self.live_mode,
                cut_in=self.cut_in,
            )
        )

    def tap(self, x: int, y: int) -> None:
        if self.fail_taps:
            self.fail_taps -= 1
            raise DeviceError("shell input tap on emulator-5554: device offline")
        self.taps.append((x, y))
        self.state = self.moves.get((self.state, x, y), self.state)

    def back(self) -> None:
        self.backs += 1

    def start_game(self) -> None:
        self.starts += 1

    def foreground_app(self) -> str:
        return self.front

    def stop_game(self) -> None: ...


class FakePlayer:
    played: ClassVar[list[float]] = []

    def open(self, timeout_s: float = 60.0) -> None: ...

    def close(self) -> None: ...

    def play(self, plan: Any, t0_monotonic: float, stop_event: Any = None) -> str:
        FakePlayer.played.append(t0_monotonic)
        return "sent"


def make(tmp_path: Path, device: ScriptedDevice, guess: int | None = 1, **cfg: Any) -> Scriptor:
    lib = ChartLibrary(tmp_path)
    lib.store(1, 3, (CHARTS / "1_0.bestdori").read_bytes())
    ctx = RecordingContext(tmp_path, ScriptorConfig.model_validate({"mode": "Free", **cfg}))
    tools = Tools(
        device=device,
        classify=lambda frame: (device.state, 0.99),
        recognise=lambda frame, multi: SongGuess(guess, "test guess"),
        charts=lib,
        catalog=load_catalog(tmp_path),
        compile=lambda chart, config, level: compile_chart(chart, PlayOptions.from_config(config)),
        player=FakePlayer,
        start_time=lambda chart: 123.0,
    )
    return Scriptor(ctx, tools)


def ctx_of(s: Scriptor) -> RecordingContext[ScriptorConfig]:
    assert isinstance(s.ctx, RecordingContext)
    return s.ctx
