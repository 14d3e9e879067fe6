"""The scriptor's real tools: the task's device, the UI classifier, the song recogniser,
the play engine and start sync (``loop.Tools``), built once per run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.recognition.song import SongRecognizer
from services.recognition.song.levels import read_level
from services.recognition.song.preprocess import to_gray
from services.recognition.ui.classifier import DEFAULT_MODEL, current_model
from services.recognition.ui.prototypes import ScreenReader
from services.scriptor.play import PlayOptions, compile_chart, ladder_title
from services.scriptor.play.plan import TouchPlan
from services.scriptor.play.player import Player
from services.scriptor.play.startsync import StartSync
from services.scriptor.start_wait import wait_for_start
from services.scriptor.teach import Teacher
from services.scriptor.tools import SongGuess, Tools
from shared.catalog import load_catalog
from shared.chart import Chart
from shared.chart.library import ChartLibrary
from shared.config.scriptor import ScriptorConfig
from shared.device import Frame
from shared.screen_coverage import PlacementLog
from shared.screen_facts import MEDLEY_TITLE_REGIONS
from shared.settings import get_settings
from shared.task_context import TaskContext


def catch_up_gallery(recogniser: SongRecognizer) -> int:
    """Title crops copied into ``title_imgs/`` after the gallery was built join it now
    (the README promises crops dropped there are recognised without training)."""
    known = set(recogniser.gallery.ids)
    added = 0
    for path in sorted(recogniser.title_dir.glob("t-*.png")):
        stem = path.stem[2:]
        if stem.isdigit() and int(stem) not in known:
            recogniser.add_song(path, int(stem))
            added += 1
    return added


def sync_capture(device: Any) -> Callable[[], tuple[Frame, float]]:
    """Frames for start sync, each with the latest time it can show. A video stream is
    fast but each frame is older than it looks (encoder and decoder buffer frames: ~60 ms
    on the simulator), and that age is not known, so sync takes screenshots, whose time is
    known, when the device can: the screen is read after the request and before the
    answer's first byte (a 1920x1080 raw frame then takes tens of ms more to arrive)."""
    if device.info.capture == "stream" and hasattr(device, "make_capture"):
        shot = device.make_capture("raw")
        if hasattr(shot, "grab_timed"):
            return shot.grab_timed  # type: ignore[no-any-return]
        return lambda: (shot.grab(), time.monotonic())
    if hasattr(device, "screencap_timed"):
        return device.screencap_timed  # type: ignore[no-any-return]
    return lambda: (device.screencap(), time.monotonic())


def build_tools(ctx: TaskContext[ScriptorConfig]) -> Tools:
    device = ctx.device
    catalog = load_catalog(ctx.data_dir)
    song_dir = ctx.data_dir / "song_recognition"
    model = current_model(ctx.data_dir)
    reader = ScreenReader(ctx.data_dir, model)  # the trained model (else the shipped one) and the gallery
    for note in reader.notes:
        ctx.log(note, "warning")
    ctx.log(screens_line(reader))
    teacher = Teacher(ctx, reader)
    placements = PlacementLog(ctx.data_dir)  # the UI Recognition tab's "how sure"
    recogniser = SongRecognizer(
        song_dir / "title_imgs",
        song_dir / "feature_vectors.json",
        levels={s.id: s.levels for s in catalog},
    )
    added = catch_up_gallery(recogniser)
    if added:
        ctx.log(f"song gallery: added {added} title crop(s) found in title_imgs/")

    def classify(frame: Frame) -> tuple[str, float]:
        r = reader.read(frame)
        placements.note(r.state, r.confidence, r.placement.best if r.by == "gallery" else r.prediction.best)
        return r.state, r.confidence

    def recognise(frame: Frame, multiplayer: bool) -> SongGuess:
        m = recogniser.match(frame)
        cands = ", ".join(f"{c.id}:{c.correlation:.2f}" for c in m.candidates[:3])
        return SongGuess(m.id, f"{m.reason or 'match'} (score {m.score:.2f}; candidates {cands})")

    def recognise_medley(frame: Frame, k: int) -> SongGuess:
        x1, y1, x2, y2 = MEDLEY_TITLE_REGIONS[k - 1]
        gray = to_gray(frame)
        level = read_level(gray[y2 : y2 + (y2 - y1), x1:x2])  # the level row under the title
        m = recogniser.match(gray[y1:y2, x1:x2], level=level)
        cands = ", ".join(f"{c.id}:{c.correlation:.2f}" for c in m.candidates[:3])
        return SongGuess(
            m.id, f"medley song {k + 1}: {m.reason or 'match'} (score {m.score:.2f}; candidates {cands})"
        )

    def compile_for(chart: Chart, cfg: ScriptorConfig, level: int) -> TouchPlan:
        title = ladder_title(level) if level and cfg.performance.value.endswith("Custom") else None
        return compile_chart(chart, PlayOptions.from_config(cfg, title=title, seed=int(time.time())))

    def start_time(chart: Chart) -> float:
        sync = StartSync(first_note_s=chart.first_note_s * ctx.config.dilation_time / 1e6)
        est = wait_for_start(sync, sync_capture(device), chart.first_note_s, checkpoint=ctx.checkpoint)
        ctx.log(f"start sync: {est.method}, {est.samples} samples at {est.fps:.0f} fps")
        return est.chart0

    fresh: list[Callable[[], tuple[Frame, float]]] = []

    def fresh_frame() -> Frame:
        # Chosen on first use: the capture is measured at the run's first frame.
        if not fresh:
            fresh.append(sync_capture(device))
        return fresh[0]()[0]

    return Tools(
        device=device,
        classify=classify,
        recognise=recognise,
        charts=ChartLibrary(ctx.data_dir),
        catalog=catalog,
        compile=compile_for,
        player=lambda: Player(device.touch_url()),
        start_time=start_time,
        game_package=get_settings().game_package,  # a crash leaves another app in front
        recognise_medley=recognise_medley,
        fresh_frame=fresh_frame,
        ui_model=None if model == DEFAULT_MODEL else model,
        settle=teacher.settle,
    )


def screens_line(reader: ScreenReader) -> str:
    """Which classifier places the screens, and why (measured on the user's frames)."""
    c = reader.choice
    taught = sum(1 for n in reader.user_counts().values() if n)
    if not c.frames:
        return "screens: the trained classifier (no frames of yours in the screen gallery yet)"
    name = "the screen gallery" if c.by == "gallery" else "the trained classifier"
    return (
        f"screens: {name} (on your {c.frames} frames of {taught} states: gallery "
        f"{c.gallery_accuracy:.1%} held out one by one, trained classifier {c.model_accuracy:.1%})"
    )
