"""add_img on a folder of frames (a Workflow recording, the inbox), one answer per group of
similar frames: the frames are described as the screen gallery describes them, grouped
(gallery.group_frames: largest group first, cut by gallery.same_layout to the frames laid
out as its centre), and each group is shown (its frames side by side) and asked about once;
its frames move into ``imgs/<state>/``, where the screen gallery takes them up (prototypes.py)
and training reads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from services.recognition.ui.dataset import dataset_dir, move_into
from services.recognition.ui.gallery import group_frames, same_layout
from services.recognition.ui.labels import UNKNOWN
from services.recognition.ui.preprocess import Image, read_frame, small
from services.recognition.ui.prototypes import ScreenReader
from shared.config import UIRecognitionConfig
from shared.task_context import TaskContext

SHOWN = 8  # frames of a group on its picture


def add_grouped(
    ctx: TaskContext[UIRecognitionConfig],
    reader: ScreenReader,
    files: list[Path],
    ask: Callable[[TaskContext[UIRecognitionConfig], str, str | None], str | None],
    dropped_dir: Path,
) -> None:
    """``ask(ctx, prompt, proposal)`` is tasks._ask_label: the label, None (Drop), "" (Stop)."""
    from services.recognition.ui.tasks import move_dropped

    smalls: list[Image] = []
    kept: list[Path] = []
    for f in files:
        try:
            smalls.append(small(read_frame(f)))
            kept.append(f)
        except ValueError as exc:
            ctx.log(f"skipping {exc}", "warning")
    if not kept:
        return
    batch = np.stack(smalls)
    readings = reader.read_small(batch)
    e = reader.embedder.small_batch(batch)
    ctx.log(f"{len(kept)} frames in groups of similar frames: one answer labels a group")
    labelled = dropped = n = 0
    left = list(range(len(kept)))
    while left:
        ctx.checkpoint()
        # the largest group of the frames left, cut to those laid out as its centre (a sibling
        # screen's frames are similar by description; they form a group of their own)
        group = same_layout([left[j] for j in group_frames(e.descriptors[left])[0]], e.layouts)
        left = [i for i in left if i not in group]
        n += 1
        ctx.progress(len(kept) - len(left) - len(group), len(kept), message=kept[group[0]].name)
        sheet = np.concatenate([cv2.resize(batch[i], (320, 180)) for i in group[:SHOWN]], 1)
        ok, png = cv2.imencode(".png", sheet)
        if ok:
            ctx.image(png.tobytes(), kind="frame", meta={"file": kept[group[0]].name, "group": len(group)})
        r = readings[group[0]]
        proposal = r.state if r.state != UNKNOWN else None
        what = (
            f"'{r.state}' ({r.confidence:.2f}, {r.by})"
            if proposal
            else f"'{UNKNOWN}' (nearest '{r.placement.best}')"
        )
        prompt = f"{kept[group[0]].name} and {len(group) - 1} similar frame(s): is it {what}?"
        label = ask(ctx, prompt, proposal)
        if label == "":
            ctx.log("stopped by the user")
            break
        for i in group:
            if label is None:
                move_dropped(kept[i], dropped_dir)
            else:
                move_into(kept[i], dataset_dir(ctx.data_dir), label)
        if label is None:
            dropped += len(group)
        else:
            labelled += len(group)
            ctx.log(f"{len(group)} frame(s) -> {label}")
        ctx.state(labelled=labelled, dropped=dropped, left=len(kept) - labelled - dropped)
    ctx.progress(len(kept), len(kept), message="done")
    ctx.log(f"labelled {labelled}, dropped {dropped} frames ({n} groups)")
