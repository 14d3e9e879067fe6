"""The simulator's scenario: what the simulated game is set up as (docs/simulator.md).

A JSON file validated here; every field has a default, so ``{}`` is a playable scenario
(``default_scenario()`` is the shipped one, ``services/simulator/default-scenario.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.config.scriptor import Event, Mode
from shared.fonts import font_file
from shared.judge_windows import BAD_MS, GOOD_MS, GREAT_MS, PERFECT_MS
from shared.screens import UI_STATES

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "default-scenario.json"

# Popups the game can put over any screen (each is one of the 34 states).
POPUP_STATES = (
    "opps",
    "opps_reconnect",
    "shop_dialog",
    "download",
    "ready_adjust",
    "choose_dialog",
    "award_dialog",
    "story_dialog",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Delays(_Model):
    """Seconds the game spends on its waiting screens."""

    app_start: float = Field(1.5, ge=0, description="launcher -> main_page (loading)")
    loading: float = Field(1.0, ge=0, description="each loading screen")
    join_loading: float = Field(1.0, ge=0)
    join_wait: float = Field(2.0, ge=0, description="waiting for the room's other players")
    ready_done: float = Field(1.0, ge=0, description="multiplayer: after start, waiting for the others")
    lead_in: float = Field(2.0, ge=0.2, description="playing screen shown -> chart time 0 on the judge line")
    after_song: float = Field(1.0, ge=0, description="last note -> result")
    award_loading: float = Field(1.0, ge=0)


class Frame(_Model):
    """Capture perturbations (``services.simulator.perturb.Perturbation``); zero = none."""

    brightness: float = Field(0.0, ge=0, lt=1, description="max +- fraction")
    jpeg_quality: int = Field(0, ge=0, le=100, description="0 = no JPEG round trip")
    shift: int = Field(0, ge=0, le=20, description="max shift in px")
    noise: float = Field(0.0, ge=0, le=64, description="std of gaussian noise (0..255 scale)")
    scale: float = Field(0.0, ge=0, le=0.1, description="max relative zoom")


class JudgeWindows(_Model):
    perfect_ms: float = Field(PERFECT_MS, gt=0)
    great_ms: float = Field(GREAT_MS, gt=0)
    good_ms: float = Field(GOOD_MS, gt=0)
    bad_ms: float = Field(BAD_MS, gt=0)
    lane_tolerance_px: float = Field(80.0, gt=0)
    flick_px: float = Field(40.0, gt=0)
    flick_ms: float = Field(200.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> JudgeWindows:
        if not self.perfect_ms <= self.great_ms <= self.good_ms <= self.bad_ms:
            raise ValueError("judge windows must grow: perfect_ms <= great_ms <= good_ms <= bad_ms")
        return self


class Touch(_Model):
    """minitouch's touch space: the client scales (and rotates) to it."""

    max_x: int = Field(32767, ge=100)
    max_y: int = Field(32767, ge=100)
    rotation: Literal[0, 90] = 0
    minitouch_port: int = Field(1111, ge=1, le=65535, description="device-side tcp port (adb forward)")
    bangcheater_port: int = Field(12345, ge=1, le=65535, description="device-side tcp port")


class Fault(_Model):
    """One fault, injected once: at ``at_s`` seconds after start, or on the
    ``occurrence``-th entry into ``on_state``."""

    kind: Literal["popup", "frozen", "unknown", "crash", "adb_disconnect", "slow", "failed"]
    at_s: float | None = Field(None, ge=0)
    on_state: str | None = None
    occurrence: int = Field(1, ge=1)
    duration_s: float = Field(
        3.0, ge=0, description="frozen / unknown / adb_disconnect / slow; failed: seconds of song first"
    )
    state: str = Field("opps", description="popup: which dialog")
    latency_ms: float = Field(300.0, ge=0, description="slow: extra capture latency")

    @model_validator(mode="after")
    def _check(self) -> Fault:
        if (self.at_s is None) == (self.on_state is None):
            raise ValueError(f"fault {self.kind}: give exactly one of at_s or on_state")
        if self.on_state is not None and self.on_state not in UI_STATES:
            raise ValueError(f"fault {self.kind}: on_state {self.on_state!r} is not one of the 34 states")
        if self.kind == "popup" and self.state not in POPUP_STATES:
            raise ValueError(f"popup state {self.state!r} is not one of {', '.join(POPUP_STATES)}")
        return self


class ExtraSong(_Model):
    """A song the catalog lacks (e.g. the twin 676 in the trimmed shipped catalog)."""

    title: str
    levels: dict[int, int] = Field(default_factory=dict, description="difficulty index -> level")


class Scenario(_Model):
    seed: int = 0
    serial: str = "emulator-5554"
    package: str = "com.bilibili.star.bili"
    activity: str = "com.unity3d.player.UnityPlayerActivity"
    game_running: bool = Field(True, description="false: the launcher is in front until am start")
    mode: Mode = Mode.Free
    event: Event = Event.Challenge
    songs: list[int] = Field(default_factory=lambda: [316, 676, 295], min_length=1)
    difficulty: int = Field(3, ge=0, le=4, description="difficulty preselected on song select")
    extra_songs: dict[int, ExtraSong] = Field(default_factory=dict)
    titles_dir: Path | None = Field(None, description="title_imgs/ folder (t-<id>.png); None = drawn titles")
    shown_levels: dict[int, dict[int, int]] = Field(
        default_factory=dict,
        description="levels the game shows that the catalog does not know (a game update): "
        "song id -> {difficulty index: level}",
    )
    level_font: str | None = Field(
        None, description="font file the levels are drawn in (e.g. ipag.ttf); None = the first sans face"
    )
    chart_dir: Path | None = Field(None, description="data dir whose charts/ to use before the shipped ones")
    max_song_s: float | None = Field(None, gt=0, description="cut charts to their first N seconds")
    delays: Delays = Field(default_factory=Delays)
    frame: Frame = Field(default_factory=Frame)
    judge: JudgeWindows = Field(default_factory=JudgeWindows)
    touch: Touch = Field(default_factory=Touch)
    touch_preinstalled: bool = Field(
        True,
        description="false: no injector runs at start (no bangcheater, nothing on localabstract:minitouch) "
        "until one is pushed to /data/local/tmp and started, as on a fresh emulator",
    )
    display: tuple[int, int] = Field(
        (1280, 720),
        description="the display's landscape pixels (wm size, frames, input); the game is drawn at "
        "1280x720 and scaled to it, as an emulator set to 1600x900 or 1920x1080 shows it",
    )
    faults: list[Fault] = Field(default_factory=list)
    input_latency_ms: float = Field(
        0.0, ge=0, le=1000, description="added to every touch's time during a song; never told to the client"
    )
    fps: int = Field(30, ge=1, le=60, description="screenrecord frame rate")
    seed_data: bool = Field(
        True, description="put the offered songs' charts and title crops in the data dir when missing"
    )

    @model_validator(mode="after")
    def _font(self) -> Scenario:
        if self.level_font is not None:
            font_file(self.level_font)  # a font that is not installed: said at load
        return self

    @model_validator(mode="after")
    def _display(self) -> Scenario:
        w, h = self.display
        if not (320 <= w <= 4096 and 240 <= h <= 4096):
            raise ValueError(f"display {w}x{h}: each side must be 240..4096 pixels, width >= 320")
        return self


class ScenarioError(ValueError):
    pass


def load_scenario(path: Path | None) -> Scenario:
    """The scenario in ``path`` (None: the shipped default); a bad file raises
    ``ScenarioError`` naming the file and the field."""
    path = path or DEFAULT_SCENARIO
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not JSON: {exc}") from exc
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        issues = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise ScenarioError(f"scenario {path}: {issues}") from exc


def default_scenario() -> Scenario:
    return load_scenario(None)
