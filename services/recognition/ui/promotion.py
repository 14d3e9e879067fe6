"""Whether a newly trained screen model may replace the current one (issue 19: a training
on 10 frames of 4 screens replaced the model and the scriptor then saw the main page as
unknown).

A new model replaces the current one only when it knows every screen the current one knows
(the screens it has training frames of, ``train_counts`` in its record) and is at least as
good on the frames of every screen checked; otherwise it is kept aside in
``models/rejected/<time>/`` with ``reason.txt`` (common/promote.py), and the current model
stays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from services.recognition.ui.classifier import UIClassifier
from services.recognition.ui.labels import LABELS, UNKNOWN, UNKNOWN_ID
from shared import screen_models

Image = npt.NDArray[np.uint8]


def known_states(meta: Mapping[str, Any]) -> set[str]:
    """The screens a model was trained on (the same rule the dashboard's list uses)."""
    return screen_models.known_states(dict(meta))


def per_state_accuracy(clf: UIClassifier, images: Image, labels: npt.NDArray[np.int64]) -> dict[str, float]:
    """Each known screen's share of its check frames named right (rejections count wrong)."""
    preds = clf.classify_small(images) if len(images) else []
    got = np.array([LABELS.index(p.state) if p.state != UNKNOWN else UNKNOWN_ID for p in preds], np.int64)
    out: dict[str, float] = {}
    for label in sorted(set(int(x) for x in labels) - {UNKNOWN_ID}):
        mine = labels == label
        out[LABELS[label]] = float((got[mine] == label).mean())
    return out


def refusal(
    new_known: set[str], old_known: set[str], new_acc: Mapping[str, float], old_acc: Mapping[str, float]
) -> str:
    """Why the new model must not replace the current one ("" when it may)."""
    why = []
    lacking = sorted(old_known - new_known)
    if lacking:
        shown = ", ".join(lacking[:8]) + (f", ... ({len(lacking)} in all)" if len(lacking) > 8 else "")
        why.append(f"it knows no frames of {len(lacking)} screen(s) the current model knows: {shown}")
    worse = [
        f"{s} ({new_acc[s]:.2f} < {old_acc[s]:.2f})"
        for s in sorted(new_acc)
        if new_acc[s] < old_acc.get(s, 0.0)
    ]
    if worse:
        why.append(f"it is worse on: {', '.join(worse[:8])}")
    return "; ".join(why)
