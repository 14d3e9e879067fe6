"""``workflow``: the user's workbench on the device (docs/workflow.md). One task, six modes
(``WorkflowConfig.workflow_mode``):

- Capture: live frames (kind ``frame``) with frame rate and capture backend; the probe is
  ``GET /api/workflow/color``, saving the frame shown is ``POST /api/workflow/frames``.
- Record: frames at ``frame_rate`` for ``record_duration_s`` into ``frame_folder``,
  bounded by ``min_free_mb`` free disk.
- WalkThrough / WalkThroughSheet: browse ``frame_folder`` through prompts (Next, Previous,
  Jump, Label, Stop); Sheet adds the note detector's overlay (kind ``overlay``).
- TraceNote / TraceFirstNote: record note depths over time, refit the first-note curve,
  plot the fit (kind ``fit``) and, with ``save_coefficients``, save it for the play engine.

Every mode stops at the next checkpoint when asked and turns device errors into one plain
line (``TaskError``)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from services.workflow import curve
from services.workflow.overlay import draw_overlay
from services.workflow.plot import fit_png
from services.workflow.trace import FirstNoteRecorder, NoteRecorder
from shared import curve_fits as fits
from shared import saved_frames as frames
from shared.atomic_write import write_atomic
from shared.config import WorkflowConfig
from shared.config.workflow import WorkflowMode
from shared.device import BadFrame, Device, DeviceError
from shared.live_state import WorkflowLive
from shared.note_detect import detect_notes
from shared.playfield import current_coefficients
from shared.screens import UI_STATES
from shared.task_context import TaskContext, TaskError

Ctx = TaskContext[WorkflowConfig]
PUBLISH_FPS = 5.0  # at most this many frames a second go to the dashboard
TRACES_DIR = "workflow/traces"
# The walk-through's controls are the dashboard's prompt answers (PromptCard): Yes = next,
# Drop = previous, No + text = jump to a frame number or label as a UI state, Stop = end.
NAV = ("Yes", "No", "Drop", "Stop")
NAV_HELP = "Yes: next, Drop: previous, No: a frame number to jump to or a UI state to label it, Stop: end"


def png_of(frame: np.ndarray) -> bytes:
    ok, png = cv2.imencode(".png", frame)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return bytes(png.tobytes())


def no_device(exc: DeviceError) -> TaskError:
    return TaskError(f"no device connected: {exc}")


class Camera:
    """The device's frames with their capture times and a measured frame rate."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        try:
            self.device: Device = ctx.device
            self.info = self.device.info
        except DeviceError as exc:
            raise no_device(exc) from exc
        self.n = 0
        self.times: list[float] = []
        self.bad = 0

    def grab(self) -> tuple[np.ndarray, float]:
        """A frame and when it was asked for (monotonic s): a capture grabs the screen as
        the request arrives, then encodes and sends it, so the request time varies least
        against the moment shown; the constant lag is absorbed by each note's judge time."""
        while True:
            t0 = time.monotonic()
            try:
                frame = self.device.screencap()
            except BadFrame as exc:
                self.bad += 1
                if self.bad in (1, 10, 100):
                    self.ctx.log(f"skipped an unreadable frame ({self.bad} so far): {exc}", "warning")
                self.ctx.checkpoint()
                continue
            except DeviceError as exc:
                raise no_device(exc) from exc
            self.n += 1
            self.times = [*self.times[-19:], time.monotonic()]
            return frame, t0

    @property
    def fps(self) -> float:
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / max(self.times[-1] - self.times[0], 1e-6)

    def meta(self, **extra: Any) -> dict[str, Any]:
        return {
            "n": self.n,
            "fps": round(self.fps, 2),
            "source": self.info.serial,
            "simulated": self.info.simulated,
            "capture": self.info.capture,
            **extra,
        }


class Throttle:
    """True at most ``rate`` times a second (what reaches the browser)."""

    def __init__(self, rate: float) -> None:
        self.period = 1.0 / rate
        self.last = -1e9

    def __call__(self, now: float) -> bool:
        if now - self.last >= self.period:
            self.last = now
            return True
        return False


def paced(ctx: Ctx, started: float, i: int) -> None:
    """Sleep until frame ``i`` is due at ``frame_rate`` (live) since ``started``."""
    due = started + i / ctx.config.frame_rate
    ctx.sleep(max(0.0, due - time.monotonic()))


# -- Capture ------------------------------------------------------------------------------


def capture(ctx: Ctx) -> None:
    cam = Camera(ctx)
    ctx.log(f"capturing from {cam.info.serial} ({cam.info.capture}) at up to {ctx.config.frame_rate:g} fps")
    show = Throttle(PUBLISH_FPS)
    started, i = time.monotonic(), 0
    while True:
        ctx.checkpoint()
        frame, t = cam.grab()
        if show(t):
            ctx.image(png_of(frame), kind="frame", meta=cam.meta())
            ctx.state(
                WorkflowLive(
                    mode=WorkflowMode.Capture, frames=cam.n, fps=round(cam.fps, 2), capture=cam.info.capture
                )
            )
        i += 1
        paced(ctx, started, i)


# -- Record -------------------------------------------------------------------------------


def record(ctx: Ctx) -> None:
    cfg = ctx.config
    cam = Camera(ctx)
    dest = frames.folder(ctx.data_dir, cfg.frame_folder)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = max(1, round(cfg.record_duration_s * cfg.frame_rate))
    min_free = cfg.min_free_mb * 1024 * 1024
    start = datetime.now(UTC)
    prefix = f"record-{start.strftime('%Y%m%d-%H%M%S')}"
    ctx.log(f"recording {wanted} frames at {cfg.frame_rate:g} fps into {frames.FOLDERS[cfg.frame_folder]}/")
    show = Throttle(PUBLISH_FPS)
    started = time.monotonic()
    saved = 0
    for i in range(wanted):
        ctx.checkpoint()
        frame, t = cam.grab()
        png = png_of(frame)
        if i == 0:
            fit = frames.record_budget(wanted, len(png), shutil.disk_usage(dest).free, min_free)
            if fit < wanted:
                msg = (
                    f"the disk holds only {fit} of {wanted} frames (~{len(png) // 1024} KiB each) "
                    f"while keeping {cfg.min_free_mb} MB free"
                )
                if fit == 0:
                    raise TaskError(f"{msg}: nothing recorded; free some space or lower min_free_mb")
                ctx.log(f"{msg}: recording {fit}", "warning")
                wanted = fit
        if shutil.disk_usage(dest).free - len(png) < min_free:
            raise TaskError(
                f"stopped after {saved} frames: the disk would have less than {cfg.min_free_mb} MB free"
            )
        frames.save_frame(dest, png, f"{prefix}_{i:05d}.png")
        saved += 1
        ctx.progress(saved, wanted, message=f"{saved}/{wanted} frames", fps=round(cam.fps, 2))
        if show(t):
            ctx.image(png, kind="frame", meta=cam.meta(saved=saved))
        ctx.state(
            WorkflowLive(
                mode=WorkflowMode.Record,
                frames=saved,
                total=wanted,
                fps=round(cam.fps, 2),
                capture=cam.info.capture,
            )
        )
        if i + 1 < wanted:
            paced(ctx, started, i + 1)
    ctx.log(f"recorded {saved} frames into {frames.FOLDERS[cfg.frame_folder]}/ ({prefix}_*.png)")


# -- WalkThrough / WalkThroughSheet -------------------------------------------------------


def walk_through(ctx: Ctx, sheet: bool) -> None:
    cfg = ctx.config
    where = frames.FOLDERS[cfg.frame_folder]
    files = frames.list_frames(frames.folder(ctx.data_dir, cfg.frame_folder))
    if not files:
        raise TaskError(f"no saved frames in {where}/: capture or record some first")
    mode = "WalkThroughSheet" if sheet else "WalkThrough"
    ctx.log(f"{mode}: {len(files)} frames in {where}/")
    i = 0
    while files:
        path = files[i]
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        extra = ""
        if frame is None:
            extra = " (not a readable image)"
        else:
            ctx.image(png_of(frame), kind="frame", meta={"index": i, "total": len(files), "file": path.name})
            if sheet:
                over, notes = draw_overlay(frame)
                ctx.image(
                    png_of(over),
                    kind="overlay",
                    meta={
                        "index": i,
                        "file": path.name,
                        "notes": [[n.kind, round(n.depth, 4)] for n in notes],
                        # each note's box [x, y, w, h] in frame pixels, in the order of notes
                        "boxes": [[n.x, n.y, n.w, n.h] for n in notes],
                    },
                )
                extra = f": {len(notes)} note(s)"
        ctx.state(WorkflowLive(mode=WorkflowMode(mode), index=i + 1, total=len(files), file=path.name))
        reply = ctx.ask(
            f"frame {i + 1}/{len(files)}: {path.name}{extra} ({NAV_HELP})",
            NAV,
            text="frame number or UI state",
            choices=UI_STATES,
        )
        if reply.answer == "Stop":
            ctx.log(f"{mode} ended at frame {i + 1}/{len(files)}")
            return
        if reply.answer == "Yes":
            i = (i + 1) % len(files)
        elif reply.answer == "Drop":
            i = (i - 1) % len(files)
        else:
            given = (reply.text or "").strip()
            if given.isdigit():
                if 1 <= int(given) <= len(files):
                    i = int(given) - 1
                else:
                    ctx.log(f"jump: {given} is no frame number 1..{len(files)}", "warning")
                continue
            try:
                moved = frames.label_frame(ctx.data_dir, path, given)
            except (ValueError, OSError) as exc:
                ctx.log(f"label: {exc}", "warning")
                continue
            ctx.log(f"labelled {path.name} as {given}: {moved.relative_to(ctx.data_dir)}")
            files.pop(i)
            i = min(i, len(files) - 1)
    ctx.log(f"{mode}: every frame in {where}/ is labelled")


# -- TraceNote / TraceFirstNote -----------------------------------------------------------


def trace(ctx: Ctx, first: bool) -> None:
    cfg = ctx.config
    mode = "TraceFirstNote" if first else "TraceNote"
    cam = Camera(ctx)
    rec_first, rec_all = FirstNoteRecorder(), NoteRecorder()
    show = Throttle(2.0)
    ctx.log(f"{mode}: tracing notes for up to {cfg.trace_duration_s:g} s from {cam.info.serial}")
    t_start: float | None = None
    started = time.monotonic()
    while time.monotonic() - started < cfg.trace_duration_s:
        ctx.checkpoint()
        frame, t = cam.grab()
        notes = detect_notes(frame)
        if t_start is None and notes:
            t_start = t
        rel = t - (t_start if t_start is not None else t)
        if first:
            if rec_first.feed(rel, notes):
                break
        else:
            rec_all.feed(rel, notes)
        if show(t):
            over, _ = draw_overlay(frame, notes)
            ctx.image(png_of(over), kind="overlay", meta=cam.meta(notes=len(notes)))
        rows = len(rec_first.rows if first else rec_all.rows)
        ctx.state(
            WorkflowLive(
                mode=WorkflowMode(mode),
                frames=cam.n,
                fps=round(cam.fps, 2),
                samples=rows,
                capture=cam.info.capture,
            )
        )
    rows_out = rec_first.rows if first else rec_all.rows
    if not rows_out:
        raise TaskError(f"{mode}: no note seen in {cfg.trace_duration_s:g} s: start a song and trace again")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    trace_path = Path(ctx.data_dir) / TRACES_DIR / f"{stamp}_{mode}.json"
    write_atomic(trace_path, json.dumps(rows_out).encode())
    rel_path = str(trace_path.relative_to(ctx.data_dir))
    ctx.log(f"{mode}: {len(rows_out)} frames traced at {cam.fps:.1f} fps into {rel_path}")
    refit(ctx, rows_out, first, source=rel_path)


def tracks_of(rows: list[Any], first: bool) -> list[curve.Track]:
    return [curve.first_note_track(rows)] if first else curve.note_tracks(rows)


def refit(ctx: Ctx, rows: list[Any], first: bool, source: str) -> curve.Fit:
    """Fits the curve to a trace, publishes the plot and, if asked, saves the curve."""
    previous = current_coefficients(ctx.data_dir)
    tracks = tracks_of(rows, first)
    try:
        fit = curve.fit_curve(tracks, previous)
    except (ValueError, RuntimeError) as exc:  # too few points, or no convergence
        raise TaskError(f"the trace cannot be fitted: {exc}") from exc
    before = curve.residuals(tracks, previous)
    # the last fit is on disk before the dashboard hears of it (its Save coefficients reads it)
    doc = fits.fit_document(fit, source, "TraceFirstNote" if first else "TraceNote")
    fits.write_last_fit(ctx.data_dir, doc)
    ctx.image(fit_png(tracks, fit, previous), kind="fit", meta={"rms_ms": fit.rms_ms, "max_ms": fit.max_ms})
    coeffs = [round(c, 12) for c in fit.coefficients]
    ctx.state(
        WorkflowLive(
            fit_rms_ms=round(fit.rms_ms, 3),
            fit_max_ms=round(fit.max_ms, 3),
            previous_rms_ms=round(before.rms_ms, 3),
            coefficients=coeffs,
            tracks=len(tracks),
        )
    )
    ctx.log(
        f"fit: rms {fit.rms_ms:.2f} ms, max {fit.max_ms:.2f} ms over {fit.points} points "
        f"in {len(tracks)} track(s) "
        f"(the curve in use: rms {before.rms_ms:.2f} ms); coefficients {coeffs}"
    )
    if ctx.config.save_coefficients:
        version, path = fits.save_version(ctx.data_dir, doc)
        where = path.relative_to(ctx.data_dir)
        ctx.log(f"saved the curve as {version} ({where}): the play engine uses it from now on")
    else:
        ctx.log("not saved (save_coefficients is off): the dashboard's Save coefficients saves this fit")
    return fit


MODES: dict[WorkflowMode, Callable[[Ctx], None]] = {
    WorkflowMode.Capture: capture,
    WorkflowMode.Record: record,
    WorkflowMode.WalkThrough: lambda ctx: walk_through(ctx, sheet=False),
    WorkflowMode.WalkThroughSheet: lambda ctx: walk_through(ctx, sheet=True),
    WorkflowMode.TraceNote: lambda ctx: trace(ctx, first=False),
    WorkflowMode.TraceFirstNote: lambda ctx: trace(ctx, first=True),
}


def workflow(ctx: Ctx) -> None:
    MODES[ctx.config.workflow_mode](ctx)
