"""UI recognition tasks (placeholders until the UI-recognition issue).

``add_img`` labels screenshots interactively: for each frame it asks Yes/No/Drop/Stop
about a guess (from the file name; there is no model yet), asks for the state after No
(an id 0-33 or a state name, checked against the 34 states) and saves labelled frames
under ``<data_dir>/ui_dataset/<state>/``. ``train_ui_recognition`` counts the dataset and
reports progress per epoch; it trains nothing yet, so it reports no loss.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from shared.atomic_write import write_atomic
from shared.config import UIRecognitionConfig
from shared.device import image_files
from shared.screens import UI_STATES
from shared.task_context import TaskContext

DATASET = "ui_dataset"


def parse_state(text: str | None) -> str | None:
    """A state from an id (0-33) or a name; None when it is neither."""
    value = (text or "").strip()
    if value.isdigit() and int(value) < len(UI_STATES):
        return UI_STATES[int(value)]
    return value if value in UI_STATES else None


def guess_state(path: Path) -> str | None:
    """The longest state name the file name starts with (e.g. ``ready_done_12.png``)."""
    stem = path.stem.lower()
    matches = [s for s in UI_STATES if stem == s or stem.startswith(s + "_") or stem.startswith(s + "-")]
    return max(matches, key=len) if matches else None


def _save(ctx: TaskContext[UIRecognitionConfig], path: Path, state: str) -> Path:
    target = ctx.data_dir / DATASET / state / path.name
    write_atomic(target, path.read_bytes())
    return target


def add_img(ctx: TaskContext[UIRecognitionConfig]) -> None:
    cfg = ctx.config
    folder = ctx.data_dir / cfg.screenshot_dir
    files = image_files(folder)
    if not files:
        raise FileNotFoundError(
            f"no screenshots in {cfg.screenshot_dir} (put PNG/JPG files under the data dir)"
        )
    ctx.log(
        f"labelling {len(files)} screenshots from {cfg.screenshot_dir} (placeholder: guesses from file names)"
    )
    saved = dropped = 0
    for i, path in enumerate(files):
        ctx.checkpoint()
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if frame is None:
            ctx.log(f"skipping unreadable image {path.name}", "warning")
            continue
        ok, png = cv2.imencode(".png", frame)
        if ok:
            ctx.image(png.tobytes(), kind="frame", meta={"file": path.name})
        ctx.progress(i, len(files), message=path.name)
        guess = guess_state(path)
        state: str | None = None
        if guess is not None:
            reply = ctx.ask(f"Is {path.name} '{guess}'?", ("Yes", "No", "Drop", "Stop"))
            if reply.answer == "Stop":
                break
            if reply.answer == "Drop":
                dropped += 1
                continue
            state = guess if reply.answer == "Yes" else parse_state(reply.text)
        while state is None:
            reply = ctx.ask(
                f"Which state is {path.name}? (id 0-{len(UI_STATES) - 1} or name)",
                ("No", "Drop", "Stop"),
                text="state id or name",
            )
            if reply.answer in ("Drop", "Stop"):
                break
            state = parse_state(reply.text)
            if state is None:
                ctx.log(
                    f"{reply.text!r} is not a state; ids 0-{len(UI_STATES) - 1} or one of the names",
                    "warning",
                )
        if state is None:
            if reply.answer == "Stop":
                break
            dropped += 1
            continue
        target = _save(ctx, path, state)
        saved += 1
        ctx.log(f"saved {path.name} as {state} ({target.relative_to(ctx.data_dir)})")
    ctx.progress(len(files), len(files), message="done")
    ctx.state(saved=saved, dropped=dropped)
    ctx.log(f"labelled {saved}, dropped {dropped}")


def train_ui_recognition(ctx: TaskContext[UIRecognitionConfig]) -> None:
    cfg = ctx.config
    root = ctx.data_dir / DATASET
    counts = {s: len(image_files(root / s)) for s in UI_STATES}
    total = sum(counts.values())
    if total == 0:
        raise FileNotFoundError(f"no labelled images under {DATASET}/: run add_img first")
    ctx.log(f"dataset: {total} images in {sum(1 for c in counts.values() if c)} of {len(UI_STATES)} states")
    ctx.log("placeholder: no model is trained yet, so no loss is reported", "warning")
    for epoch in range(1, cfg.epoch + 1):
        ctx.checkpoint()
        ctx.progress(epoch, cfg.epoch, message=f"epoch {epoch}/{cfg.epoch} (placeholder)", images=total)
        ctx.sleep(0.05)
