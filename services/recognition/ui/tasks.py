"""The ui_recognition module's task bodies (entry points named in shared/modules.py).

``add_img`` labels frames (the inbox the scriptor fills and uploads land in, or the
device's screen) with the model's proposal; ``train_ui_recognition`` trains BangUINet on the
labelled frames and keeps the new model only when it is at least as good as the current
one on capture-like copies of the validation frames."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2

from services.recognition.ui import promotion
from services.recognition.ui.classifier import UIClassifier, current_model
from services.recognition.ui.dataset import (
    FEW_FRAMES,
    IMGS,
    ROOT,
    add_frame,
    dataset_dir,
    load_dataset,
    models_dir,
    move_into,
)
from services.recognition.ui.labels import LABELS, UNKNOWN, UNKNOWN_ID, parse_label
from services.recognition.ui.meta import ModelFileError
from services.recognition.ui.preprocess import Image, image_files, read_frame
from shared.config import UIRecognitionConfig
from shared.config.recognition import UIImageSource
from shared.device import BadFrame
from shared.live_state import UIRecognitionLive
from shared.screens import UI_STATES
from shared.task_context import ANSWERS, TaskContext

DROPPED = f"{ROOT}/dropped"  # dropped frames are kept aside, not deleted
LABEL_HINT = f"state name or id (0-{len(LABELS) - 1}; {UNKNOWN_ID} = {UNKNOWN})"


def _classifier(ctx: TaskContext[UIRecognitionConfig]) -> UIClassifier | None:
    path = current_model(ctx.data_dir)
    try:
        return UIClassifier(path)
    except (FileNotFoundError, ModelFileError) as exc:
        ctx.log(f"no usable UI model ({exc}); frames are shown without a proposal", "warning")
        return None


def _ask_label(ctx: TaskContext[UIRecognitionConfig], prompt: str, proposal: str | None) -> str | None:
    """The user's label, None for Drop, "" for Stop."""
    while True:
        # Yes only when there is a proposal to accept; the states are offered to pick from.
        options = ANSWERS if proposal is not None else tuple(a for a in ANSWERS if a != "Yes")
        reply = ctx.ask(prompt, options, text=LABEL_HINT, choices=UI_STATES)
        if reply.answer == "Stop":
            return ""
        if reply.answer == "Drop":
            return None
        if reply.answer == "Yes":
            if proposal is None:
                ctx.log("there is no proposal to accept: answer No and type the state", "warning")
                continue
            return proposal
        if reply.answer == "No":
            label = parse_label(reply.text)
            if label is None:
                ctx.log(
                    f"{reply.text!r} is not a state: type a name ({', '.join(UI_STATES[:3])}, ...) "
                    f"or an id 0-{len(LABELS) - 1}",
                    "error",
                )
                prompt = "Type the state (name or id) and answer No, or Drop / Stop"
                continue
            return label
        ctx.log(f"unknown answer {reply.answer!r}", "warning")


def add_img(ctx: TaskContext[UIRecognitionConfig]) -> None:
    """For each frame: show it with the model's proposal and confidence, ask Yes / No
    (+ state) / Drop / Stop, and move the frame into ``imgs/<state>/`` (atomic rename)."""
    if ctx.config.image_source == UIImageSource.Device:
        add_from_device(ctx)
        return
    folder = ctx.data_dir / ctx.config.screenshot_dir
    files = image_files(folder)
    if not files:
        ctx.log(
            f"no frames in {ctx.config.screenshot_dir}: nothing to label (upload frames there)", "warning"
        )
        ctx.state(UIRecognitionLive(labelled=0, dropped=0, left=0))
        return
    clf = _classifier(ctx)
    if clf is not None and ctx.config.group_similar:
        from services.recognition.ui.grouped import add_grouped
        from services.recognition.ui.prototypes import ScreenReader

        add_grouped(ctx, ScreenReader(ctx.data_dir), files, _ask_label, ctx.data_dir / DROPPED)
        left = len(image_files(folder))
        ctx.state(left=left)
        return
    root = dataset_dir(ctx.data_dir)
    ctx.log(f"labelling {len(files)} frames from {ctx.config.screenshot_dir} into {IMGS}")
    ctx.log("states (name or id after No): " + ", ".join(f"{i} {s}" for i, s in enumerate(LABELS)))
    labelled = dropped = 0
    for n, path in enumerate(files):
        ctx.checkpoint()
        ctx.progress(n, len(files), message=path.name)
        try:
            frame = read_frame(path)
        except ValueError as exc:
            ctx.log(f"skipping {exc}", "warning")
            continue
        ok, png = cv2.imencode(".png", frame)
        if ok:
            ctx.image(png.tobytes(), kind="frame", meta={"file": path.name})
        proposal, prompt = _proposal(clf, frame, path.name)
        label = _ask_label(ctx, prompt, proposal)
        if label == "":
            ctx.log("stopped by the user")
            break
        if label is None:
            move_dropped(path, ctx.data_dir / DROPPED)
            dropped += 1
            ctx.log(f"dropped {path.name} (kept in {DROPPED})")
            continue
        target = move_into(path, root, label)
        labelled += 1
        ctx.log(f"{path.name} -> {target.relative_to(ctx.data_dir)}")
        ctx.state(UIRecognitionLive(labelled=labelled, dropped=dropped, left=len(files) - n - 1))
    left = len(image_files(folder))
    ctx.progress(len(files) - left, len(files), message="done")
    ctx.state(UIRecognitionLive(labelled=labelled, dropped=dropped, left=left))
    ctx.log(f"labelled {labelled}, dropped {dropped}, {left} left in {ctx.config.screenshot_dir}")


def _proposal(clf: UIClassifier | None, frame: Image, name: str) -> tuple[str | None, str]:
    """The model's label for the frame and the question that shows it with its confidence."""
    if clf is None:
        return None, f"{name}: which state is it? (answer No with the state)"
    p = clf.classify(frame)
    what = (
        f"'{p.state}' ({p.confidence:.2f})"
        if p.state != UNKNOWN
        else f"'{UNKNOWN}' (best guess '{p.best}' {p.confidence:.2f})"
    )
    return p.state, f"{name}: is it {what}?"


def add_from_device(ctx: TaskContext[UIRecognitionConfig]) -> None:
    """The device source: capture the current screen, ask about it, save it (PNG, atomic)
    under its label; then capture the next one, until Stop. The user moves the game on
    between answers."""
    clf = _classifier(ctx)
    root = dataset_dir(ctx.data_dir)
    device = ctx.device
    ctx.log(f"labelling frames from the device ({device.info.serial}) into {IMGS}; Stop ends")
    ctx.log("states (name or id after No): " + ", ".join(f"{i} {s}" for i, s in enumerate(LABELS)))
    labelled = dropped = 0
    n = 0
    while True:
        ctx.checkpoint()
        try:
            frame = device.screencap()
        except BadFrame as exc:
            ctx.log(f"bad capture ({exc}); trying again", "warning")
            ctx.sleep(1.0)
            continue
        n += 1
        ok, png = cv2.imencode(".png", frame)
        if not ok:
            raise RuntimeError("PNG encoding of a captured frame failed")
        name = f"device-{time.strftime('%Y%m%d-%H%M%S')}-{n:03d}.png"
        ctx.image(png.tobytes(), kind="frame", meta={"file": name})
        proposal, prompt = _proposal(clf, frame, f"frame {n}")
        label = _ask_label(ctx, prompt, proposal)
        if label == "":
            break
        if label is None:
            dropped += 1
            continue
        target = add_frame(png.tobytes(), root, label, name)
        labelled += 1
        ctx.log(f"frame {n} -> {target.relative_to(ctx.data_dir)}")
        ctx.state(UIRecognitionLive(labelled=labelled, dropped=dropped))
    ctx.state(UIRecognitionLive(labelled=labelled, dropped=dropped))
    ctx.log(f"labelled {labelled}, dropped {dropped} (from the device)")


def move_dropped(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    k = 1
    while target.exists():
        target = folder / f"{path.stem}-{k}{path.suffix}"
        k += 1
    path.replace(target)


def train_ui_recognition(ctx: TaskContext[UIRecognitionConfig]) -> None:
    """Train on imgs/ (stratified validation split), report loss and validation accuracy per
    epoch, publish the confusion matrix, and promote the model only if it is not worse."""
    from services.recognition.common import promote as common
    from services.recognition.ui.classifier import DEFAULT_MODEL
    from services.recognition.ui.pipeline import (
        CHECKPOINT_NAME,
        MODEL_FILES,
        accuracy,
        confusion_png,
        train_dataset,
    )
    from services.recognition.ui.train import EpochInfo, TrainOptions

    cfg = ctx.config
    data = load_dataset(dataset_dir(ctx.data_dir))
    for s in data.stray:
        ctx.log(f"{IMGS}/{s}/ is not a state name: ignored", "warning")
    for s in data.skipped:
        ctx.log(f"skipped {s}", "warning")
    if len(data.labels) == 0:
        raise FileNotFoundError(f"no labelled frames under {IMGS}/<state>/: label frames with add_img first")
    counts = data.counts()
    states = [s for s in UI_STATES if s in counts]
    if len(states) < 2:
        raise ValueError(f"{IMGS} has frames of {len(states)} state(s); training needs at least 2")
    few = [f"{s} ({counts[s]})" for s in states if counts[s] < FEW_FRAMES]
    if few:
        ctx.log(
            f"few frames (under {FEW_FRAMES}) for: {', '.join(few)}; these states may be misread", "warning"
        )
    missing = [s for s in UI_STATES if s not in counts]
    ctx.log(
        f"dataset: {len(data.labels)} frames of {len(states)} states"
        + (
            f"; no frames of {len(missing)} states ({', '.join(missing[:6])}"
            + (", ...)" if len(missing) > 6 else ")")
            if missing
            else ""
        )
    )
    mdir = models_dir(ctx.data_dir)
    cand = common.fresh_candidate(mdir)
    init = common.start_checkpoint(
        mdir, CHECKPOINT_NAME, DEFAULT_MODEL.with_suffix(".pt"), load=cfg.is_load_model
    )
    opts = TrainOptions(epochs=cfg.epoch, batch_size=cfg.batch_size, lr=cfg.learn_rate)

    def on_epoch(e: EpochInfo) -> None:
        ctx.progress(
            e.epoch,
            e.epochs,
            message=f"epoch {e.epoch}/{e.epochs}",
            loss=round(e.loss, 5),
            val_acc=round(e.val_acc, 5),
            elapsed_s=round(e.elapsed_s, 1),
            eta_s=round(e.eta_s, 1),
        )
        ctx.log(f"epoch {e.epoch}/{e.epochs}: loss {e.loss:.4f} validation accuracy {e.val_acc:.4f}")
        ctx.checkpoint()  # raises TaskStopped on stop: the current model stays untouched

    ctx.progress(0, cfg.epoch, message="loading")
    try:
        result = train_dataset(
            data.images, data.labels, cand, opts, init_checkpoint=init, on_epoch=on_epoch, log=ctx.log
        )
    except ModelFileError as exc:
        ctx.log(f"cannot start from the current model ({exc}); training from scratch", "warning")
        result = train_dataset(data.images, data.labels, cand, opts, on_epoch=on_epoch, log=ctx.log)
    m = result.meta
    ctx.log(
        f"calibration: temperature {m['temperature']:.3f}, threshold {m['threshold']}, "
        f"max distance {m['max_dist']:.3f}"
    )
    ctx.image(
        confusion_png(result.confusion), kind="confusion_matrix", meta={"best_epoch": result.best_epoch}
    )
    new_clf = UIClassifier(cand / "banguinet.onnx")
    new = accuracy(new_clf, result.check_images, result.check_labels)
    ctx.log(_summary("new model", new))

    # The current model: the data dir's own, else the shipped one. A new model replaces it
    # only when it knows every screen it knows and is as good on each (promotion.py): a
    # training on a few screens must never leave the scriptor blind to the others.
    def judge_current() -> tuple[dict[str, Any], str]:
        old_clf = UIClassifier(current_model(ctx.data_dir))
        old = accuracy(old_clf, result.check_images, result.check_labels)
        ctx.log(_summary("current model", old))
        why = promotion.refusal(
            promotion.known_states(new_clf.meta),
            promotion.known_states(old_clf.meta),
            promotion.per_state_accuracy(new_clf, result.check_images, result.check_labels),
            promotion.per_state_accuracy(old_clf, result.check_images, result.check_labels),
        )
        return old, why

    judged = common.measure_current(judge_current, ctx.log)
    old, why_not = judged if judged is not None else (None, "")
    why_not = why_not or common.worse(new["accuracy"], old["accuracy"] if old is not None else None)
    aside = common.settle(cand, mdir, MODEL_FILES, why_not, keep_refused=True)
    if aside is not None:
        ctx.log(
            f"the new model does not replace the current one: {why_not}; keeping the current model "
            f"(the new one is kept aside in {aside.relative_to(ctx.data_dir)})",
            "warning",
        )
        return
    ctx.state(UIRecognitionLive(val_acc=round(new["accuracy"], 4), best_epoch=result.best_epoch))
    ctx.log(
        f"new model saved in {mdir.relative_to(ctx.data_dir)} (validation accuracy {new['accuracy']:.4f})"
    )


def _summary(name: str, rep: dict[str, object]) -> str:
    return (
        f"{name}: accuracy {rep['accuracy']:.4f} on capture-like copies of the validation split "
        f"({rep['known_wrong']} of {rep['known']} screens named wrongly, {rep['known_rejected']} rejected; "
        f"unknowns rejected {rep['unknown_rejected']:.3f})"
    )


__all__ = ["add_img", "train_ui_recognition"]
