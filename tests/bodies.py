"""Test-only task bodies for the platform and dashboard suites.

The platform is tested through real workers running real tasks, but the suites must not
depend on what a module's body happens to do while that module is being built: the test
stack (``tests/launcher.py``, ``tests/worker.py``) runs these bodies under the real
module/task names instead. Each does just what the suites drive through the platform:
loop and report state, apply live config, publish frames, ask prompts, report progress,
honour stop. The fetch and song_recognition tasks keep their real bodies.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from shared.atomic_write import write_atomic
from shared.config import ScriptorConfig, UIRecognitionConfig, WorkflowConfig
from shared.device import IMAGE_SUFFIXES
from shared.screens import UI_STATES
from shared.task_context import TaskContext

LOOP_S = 0.2
FRAME_S = 0.5
FRAME_SIZE = (1280, 720)
SCREENSHOTS = "screenshots"  # under the data dir: the frames the workflow body cycles
DATASET = "ui_dataset"


def images_in(folder: Path) -> list[Path]:
    """The image files directly in ``folder``, by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def loop_and_report(ctx: TaskContext[ScriptorConfig]) -> None:
    """As ``scriptor:start_scriptor``: loop until stopped, re-reading the live config every
    round, logging a mode change and reporting it in the state; with ``is_repeat`` off it
    ends after ``MAX_SAME_STATE`` rounds."""
    cfg = ctx.config
    ctx.log("test scriptor: looping until stopped")
    seen = (cfg.mode, cfg.event)
    n = 0
    while True:
        cfg = ctx.config
        if (cfg.mode, cfg.event) != seen:
            seen = (cfg.mode, cfg.event)
            ctx.log(f"mode now {cfg.mode.value}/{cfg.event.value}")
        n += 1
        ctx.state(loop=n, mode=cfg.mode.value, event=cfg.event.value, level=cfg.level.value)
        if not cfg.is_repeat and n >= cfg.MAX_SAME_STATE:
            ctx.log("is_repeat is off: one round done")
            return
        ctx.sleep(LOOP_S)


def generated_frame(n: int) -> np.ndarray:
    """A 1280x720 BGR frame that changes with ``n``."""
    w, h = FRAME_SIZE
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.uint8)[:, None].repeat(w, 1)
    return np.dstack([x, y, np.full((h, w), (n * 37) % 256, np.uint8)])


def publish_frames(ctx: TaskContext[WorkflowConfig]) -> None:
    """As ``workflow:workflow``: publish a frame (kind ``frame``) every ``FRAME_S`` until
    stopped: the screenshots in ``<data dir>/screenshots`` in turn (pixels unchanged), else
    generated ones."""
    files = images_in(ctx.data_dir / SCREENSHOTS)
    ctx.log(
        f"test workflow ({ctx.config.workflow_mode.value}): publishing {len(files) or 'generated'} frames"
    )
    n = 0
    while True:
        source = files[n % len(files)] if files else None
        frame = cv2.imread(str(source), cv2.IMREAD_COLOR) if source else generated_frame(n)
        if frame is None:
            raise ValueError(f"{source} is not a readable image")
        ok, png = cv2.imencode(".png", frame)
        if not ok:
            raise RuntimeError("PNG encoding failed")
        n += 1
        ctx.image(
            png.tobytes(), kind="frame", meta={"n": n, "source": source.name if source else "generated"}
        )
        ctx.state(frames=n, mode=ctx.config.workflow_mode.value)
        ctx.sleep(FRAME_S)


def parse_state(text: str | None) -> str | None:
    """A state from an id (0-33) or a name; None when it is neither."""
    value = (text or "").strip()
    if value.isdigit() and int(value) < len(UI_STATES):
        return UI_STATES[int(value)]
    return value if value in UI_STATES else None


def guess_state(path: Path) -> str | None:
    """The longest state name the file name starts with (``ready_2.png`` -> ready)."""
    stem = path.stem.lower()
    matches = [s for s in UI_STATES if stem == s or stem.startswith((s + "_", s + "-"))]
    return max(matches, key=len) if matches else None


def label_by_prompts(ctx: TaskContext[UIRecognitionConfig]) -> None:
    """As ``ui_recognition:add_img``: for each screenshot in ``screenshot_dir`` publish it,
    ask Yes/No/Drop/Stop about a guess from its name, or (no guess, or No) ask for the state
    as text until it is one; save it under ``ui_dataset/<state>/``."""
    folder = ctx.data_dir / ctx.config.screenshot_dir
    files = images_in(folder)
    if not files:
        raise FileNotFoundError(f"no screenshots in {ctx.config.screenshot_dir}")
    saved = dropped = 0
    for i, path in enumerate(files):
        ctx.checkpoint()
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if frame is not None:
            ok, png = cv2.imencode(".png", frame)
            if ok:
                ctx.image(png.tobytes(), kind="frame", meta={"file": path.name})
        ctx.progress(i, len(files), message=path.name)
        answer, state = "", None
        guess = guess_state(path)
        if guess is not None:
            reply = ctx.ask(f"Is {path.name} '{guess}'?", ("Yes", "No", "Drop", "Stop"))
            answer = reply.answer
            state = guess if answer == "Yes" else parse_state(reply.text) if answer == "No" else None
        while state is None and answer not in ("Drop", "Stop"):
            reply = ctx.ask(
                f"Which state is {path.name}? (id 0-{len(UI_STATES) - 1} or name)",
                ("No", "Drop", "Stop"),
                text="state id or name",
            )
            answer = reply.answer
            if answer == "No":
                state = parse_state(reply.text)
                if state is None:
                    ctx.log(f"{reply.text!r} is not a state", "warning")
        if answer == "Stop":
            break
        if state is None:
            dropped += 1
            continue
        write_atomic(ctx.data_dir / DATASET / state / path.name, path.read_bytes())
        saved += 1
        ctx.log(f"saved {path.name} as {state}")
    ctx.progress(len(files), len(files), message="done")
    ctx.state(saved=saved, dropped=dropped)
    ctx.log(f"labelled {saved}, dropped {dropped}")


def count_epochs(ctx: TaskContext[UIRecognitionConfig]) -> None:
    """As ``ui_recognition:train_ui_recognition``: needs a labelled image; reports progress
    for each of ``epoch`` epochs (no loss: nothing is trained)."""
    root = ctx.data_dir / DATASET
    total = sum(len(images_in(root / s)) for s in UI_STATES)
    if total == 0:
        raise FileNotFoundError(f"no labelled images under {DATASET}/")
    epochs = ctx.config.epoch
    for epoch in range(1, epochs + 1):
        ctx.checkpoint()
        ctx.progress(epoch, epochs, message=f"epoch {epoch}/{epochs}", images=total)
        ctx.sleep(0.05)


# (module, task) -> the body above that the test stack runs instead of the real one.
BODIES: dict[tuple[str, str], str] = {
    ("scriptor", "start_scriptor"): f"{__name__}:loop_and_report",
    ("workflow", "workflow"): f"{__name__}:publish_frames",
    ("ui_recognition", "add_img"): f"{__name__}:label_by_prompts",
    ("ui_recognition", "train_ui_recognition"): f"{__name__}:count_epochs",
}
