"""Everything the scriptor's executor touches outside itself (``Tools``), so it runs
against the real device, the simulator or scripted fakes alike; ``wiring.build_tools``
builds the real ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from services.scriptor.play.plan import TouchPlan
from services.scriptor.play.player import StopFlag
from shared.catalog import Catalog
from shared.chart import Chart
from shared.chart.library import ChartLibrary
from shared.config.scriptor import ScriptorConfig
from shared.device import DeviceInfo, Frame


class GameDevice(Protocol):
    """What the scriptor uses of a ``shared.device.Device``."""

    @property
    def info(self) -> DeviceInfo: ...

    def screencap(self) -> Frame: ...

    def tap(self, x: int, y: int) -> None: ...

    def back(self) -> None: ...

    def start_game(self) -> None: ...

    def stop_game(self) -> None: ...

    def foreground_app(self) -> str: ...


class Classifier(Protocol):
    def __call__(self, frame: Frame) -> tuple[str, float]: ...


@dataclass(frozen=True)
class SongGuess:
    song_id: int | None  # None: not sure
    detail: str  # candidates / reason, for the log


class Recogniser(Protocol):
    def __call__(self, frame: Frame, multiplayer: bool) -> SongGuess: ...


class PlayerLike(Protocol):
    def open(self, timeout_s: float = 60.0) -> None: ...

    # Returns the sender's statistics (``PlayStats``: its ``error`` says a failed send).
    def play(self, plan: TouchPlan, t0_monotonic: float, stop_event: StopFlag | None = None) -> object: ...

    def close(self) -> None: ...


@dataclass
class Tools:
    device: GameDevice
    classify: Classifier
    recognise: Recogniser
    charts: ChartLibrary
    catalog: Catalog
    compile: Callable[[Chart, ScriptorConfig, int], TouchPlan]  # chart, config, song level -> plan
    player: Callable[[], PlayerLike]
    start_time: Callable[[Chart], float]  # frames -> monotonic time chart time 0 is judged
    game_package: str = ""
    # A tour medley's k-th song (k = 1, 2) on the ready screen (MEDLEY_TITLE_REGIONS).
    recognise_medley: Callable[[Frame, int], SongGuess] | None = None
    # A frame taken after the call (a screenshot), for the cycles right after taps when
    # the usual capture is a video stream whose frames lag; None: ``device.screencap``.
    fresh_frame: Callable[[], Frame] | None = None
    # The screen model in use when it is the user's trained one (not the shipped one): a run
    # that gives up on unknown screens soon after it changed says so.
    ui_model: Path | None = None
    # (state, frame) -> the state to act on: an unplaced screen may be asked about and
    # taught (teach.Teacher.settle); None: unplaced screens are recovered from.
    settle: Callable[[str, Frame], str] | None = None
