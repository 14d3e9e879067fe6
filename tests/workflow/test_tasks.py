"""The workflow's modes as task bodies, with the recording task double and real devices
(generated pictures; an ADB address where nothing listens). The whole stack against the
simulator is in test_stack.py."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from services.scriptor.play.startsync import StartSync
from services.simulator.field import NoteSprite, render_playfield
from services.simulator.screens import ResultCounts, ScreenView, render
from services.workflow.tasks import refit, workflow
from shared import saved_frames as frames
from shared.catalog import load_catalog, shown_title
from shared.config import WorkflowConfig
from shared.config.workflow import FrameFolder, WorkflowMode
from shared.curve_fits import read_last_fit
from shared.data import DATA_DIR
from shared.device import Device
from shared.device.factory import open_device
from shared.device.pictures import PictureDevice
from shared.playfield import current_coefficients, lane_x, shipped_coefficients, x_at, y_of_depth
from shared.screens import UI_STATES
from shared.settings import Settings, get_settings
from shared.task_context import Reply, TaskError, TaskStopped
from tests.task_double import RecordingContext

DATA = DATA_DIR


def config(**kw: Any) -> WorkflowConfig:
    return WorkflowConfig.model_validate(kw)


def test_record_saves_the_frames_asked_for(tmp_path: Path) -> None:
    cfg = config(
        workflow_mode="Record", frame_rate=20, record_duration_s=1, frame_folder="records", min_free_mb=0
    )
    ctx = RecordingContext(tmp_path, cfg, device=PictureDevice(None))
    workflow(ctx)
    saved = frames.list_frames(frames.folder(tmp_path, FrameFolder.records))
    assert len(saved) == 20
    first = cv2.imread(str(saved[0]))
    assert first is not None and first.shape == (720, 1280, 3)
    assert ctx.progresses[-1].done == 20 and ctx.progresses[-1].total == 20
    assert "recorded 20 frames into workflow/records/" in ctx.text()


def test_capture_publishes_frames_with_rate_and_backend_until_stopped(tmp_path: Path) -> None:
    cfg = config(workflow_mode="Capture", frame_rate=30)
    ctx = RecordingContext(tmp_path, cfg, device=PictureDevice(None), stop_after_checkpoints=5)
    with pytest.raises(TaskStopped):
        workflow(ctx)
    assert ctx.images and all(kind == "frame" for kind, _ in ctx.images)
    assert ctx.states[-1]["capture"] == "pictures" and ctx.states[-1]["mode"] == "Capture"


def saved_frames(tmp_path: Path, n: int) -> list[Path]:
    inbox = frames.folder(tmp_path, FrameFolder.ui_inbox)
    out = []
    for i in range(n):
        ok, png = cv2.imencode(".png", np.full((720, 1280, 3), 10 * i, np.uint8))
        assert ok
        out.append(frames.save_frame(inbox, png.tobytes(), f"frame-{i}.png"))
    return out


def test_walk_through_navigates_and_labels_through_prompts(tmp_path: Path) -> None:
    files = saved_frames(tmp_path, 3)
    replies = [
        Reply("Yes"),  # next
        Reply("No", "3"),  # jump
        Reply("No", "9"),  # no such frame: a warning, stays
        Reply("No", "redy"),  # no such state: a warning, nothing moved
        Reply("No", "ready"),  # label
        Reply("Drop"),  # previous
        Reply("Stop"),
    ]
    ctx = RecordingContext(tmp_path, config(workflow_mode="WalkThrough"), replies)
    workflow(ctx)
    assert [p.split(":")[0] for p in ctx.prompts] == [
        "frame 1/3",
        "frame 2/3",
        "frame 3/3",
        "frame 3/3",
        "frame 3/3",
        "frame 2/2",  # frame-2 was labelled away; index clamped to the last one
        "frame 1/2",
    ]
    assert ctx.options[0] == ("Yes", "No", "Drop", "Stop")  # the dashboard's prompt answers
    assert ctx.choices[0] == UI_STATES  # the labels to pick from
    assert (tmp_path / "ui_recognition" / "imgs" / "ready" / "frame-2.png").exists()
    assert not files[2].exists() and files[0].exists() and files[1].exists()
    warnings = ctx.warnings()
    assert any("jump: 9 is no frame number 1..3" in w for w in warnings)
    assert any("unknown UI state 'redy'" in w for w in warnings)


def test_walk_through_sheet_publishes_the_overlay(tmp_path: Path) -> None:
    saved_frames(tmp_path, 1)
    drawn = [NoteSprite("tap", lane_x(1), y_of_depth(0.4)), NoteSprite("flick", lane_x(5), y_of_depth(0.7))]
    ok, png = cv2.imencode(".png", render_playfield(drawn))
    assert ok
    frames.save_frame(frames.folder(tmp_path, FrameFolder.ui_inbox), png.tobytes(), "playing.png")
    ctx = RecordingContext(tmp_path, config(workflow_mode="WalkThroughSheet"), [Reply("Yes"), Reply("Stop")])
    workflow(ctx)
    assert [k for k, _ in ctx.images] == ["frame", "overlay", "frame", "overlay"]
    assert "0 note(s)" in ctx.prompts[0] and "2 note(s)" in ctx.prompts[1]
    meta = ctx.metas[-1]
    assert sorted(kind for kind, _ in meta["notes"]) == ["flick", "tap"]
    # each box (x, y, w, h in frame pixels) is on its sprite, in the order of the notes
    for (kind, _), (x, y, w, h) in zip(meta["notes"], meta["boxes"], strict=True):
        (s,) = [d for d in drawn if d.kind == kind]
        sx = x_at(s.x, s.y)  # a sprite's x is its lane's at the judge line; drawn in perspective
        assert x <= sx <= x + w and y <= s.y <= y + h


def test_walk_through_shows_what_the_product_reads_from_each_frame(tmp_path: Path) -> None:
    """The frame's image meta carries the ``autobang inspect`` reading: the screen state,
    then its reader (here the result card's counts, as the scriptor reads them)."""
    song = next(s for s in load_catalog(tmp_path) if 3 in s.levels)  # a song with an Expert chart
    counts = ResultCounts(
        perfect=812, great=30, good=5, bad=2, miss=2, fast=21, slow=16, combo=530, score=1234567,
        difficulty="expert", level=song.levels[3], title=shown_title(song.title),
    )  # fmt: skip
    ok, png = cv2.imencode(".png", render(ScreenView("award", result=counts)))
    assert ok
    frames.save_frame(frames.folder(tmp_path, FrameFolder.ui_inbox), png.tobytes(), "award.png")
    ctx = RecordingContext(tmp_path, config(workflow_mode="WalkThrough"), [Reply("Stop")])
    workflow(ctx)
    (meta,) = [m for (kind, _), m in zip(ctx.images, ctx.metas, strict=True) if kind == "frame"]
    reading = meta["reading"]
    assert reading["state"] == "award" and reading["read"], reading
    got = {k: reading["result"][k] for k in ("perfect", "great", "good", "bad", "miss", "fast", "slow")}
    assert got == {"perfect": 812, "great": 30, "good": 5, "bad": 2, "miss": 2, "fast": 21, "slow": 16}
    assert reading["result"]["max_combo"] == 530
    assert reading["result"]["difficulty"] == "expert" and reading["result"]["level"] == song.levels[3]
    assert reading["result"]["score"] == 1234567 and reading["result"]["song_id"] == song.id


def test_walk_through_of_an_empty_folder_says_what_to_do(tmp_path: Path) -> None:
    cfg = config(workflow_mode="WalkThrough", frame_folder="song_screenshots")
    with pytest.raises(TaskError, match="no saved frames in song_recognition/screenshots/: capture"):
        workflow(RecordingContext(tmp_path, cfg))


class NoDeviceContext(RecordingContext[WorkflowConfig]):
    """The runtime's path to a device, at an ADB address where nothing listens."""

    def __init__(self, data_dir: Path, cfg: WorkflowConfig, port: int) -> None:
        super().__init__(data_dir, cfg)
        self.port = port

    @property
    def device(self) -> Device:
        return open_device(Settings(device=f"adb://127.0.0.1:{self.port}", data_dir=self.data_dir))


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("mode", [WorkflowMode.Capture, WorkflowMode.Record, WorkflowMode.TraceFirstNote])
def test_no_device_is_said_in_plain_words(tmp_path: Path, closed_port: int, mode: WorkflowMode) -> None:
    with pytest.raises(TaskError, match="no device connected: "):
        workflow(NoDeviceContext(tmp_path, config(workflow_mode=mode), closed_port))


@pytest.fixture
def data_dir_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("AUTOBANG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_saved_refit_becomes_the_play_engines_curve(data_dir_settings: Path) -> None:
    tmp_path = data_dir_settings
    rows = json.loads((DATA / "trace_note.json").read_text())
    assert StartSync(first_note_s=1.0).coefficients == shipped_coefficients("v1")
    ctx = RecordingContext(tmp_path, config(workflow_mode="TraceNote", save_coefficients=True))
    fit = refit(ctx, rows, first=False, source="test")
    saved = tmp_path / "workflow" / "coefficients" / "v3.json"  # after the shipped v1, v2
    assert json.loads(saved.read_text())["coefficients"] == list(fit.coefficients)
    assert current_coefficients(tmp_path) == fit.coefficients
    assert StartSync(first_note_s=1.0).coefficients == fit.coefficients  # the engine's default
    assert ("fit", ctx.images[-1][1]) == ctx.images[-1] and ctx.states[-1]["fit_rms_ms"] < 4.54
    # A second save is v4; v3 is kept.
    refit(ctx, json.loads((DATA / "trace_first_note.json").read_text()), first=True, source="test")
    assert saved.exists() and (tmp_path / "workflow" / "coefficients" / "v4.json").exists()
    assert current_coefficients(tmp_path) != fit.coefficients


def test_a_fit_not_saved_is_kept_as_the_last_fit_and_saved_on_demand(tmp_path: Path) -> None:
    rows = json.loads((DATA / "trace_first_note.json").read_text())
    ctx = RecordingContext(tmp_path, config(workflow_mode="TraceFirstNote"))
    fit = refit(ctx, rows, first=True, source="workflow/traces/x_TraceFirstNote.json")
    assert not (tmp_path / "workflow" / "coefficients").exists()  # save_coefficients is off
    assert current_coefficients(tmp_path) == shipped_coefficients("v1")
    last = read_last_fit(tmp_path)
    assert last is not None and last["coefficients"] == list(fit.coefficients)
    assert last["saved_as"] is None and last["mode"] == "TraceFirstNote"
    assert "Save coefficients saves this fit" in ctx.text()


def test_a_broken_saved_curve_is_named_not_ignored(tmp_path: Path) -> None:
    bad = tmp_path / "workflow" / "coefficients" / "v7.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"coefficients": [1, 2]}')
    with pytest.raises(ValueError, match=r"v7\.json: expected 5 finite coefficients"):
        current_coefficients(tmp_path)
