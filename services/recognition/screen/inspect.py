"""``autobang inspect``: everything the product reads from saved frames, one JSON object per
frame: the UI classifier's state and confidence, then the reader of that screen (result,
ready or playing), or the reader ``--screen`` forces whatever the classifier says."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from services.recognition.screen.frame import FrameError, to_reference
from services.recognition.screen.playing import read_playing
from services.recognition.screen.ready import read_ready
from services.recognition.screen.ready_song import read_ready_song
from services.recognition.screen.result import read_result
from shared.catalog import Song

SCREENS = ("auto", "result", "ready", "playing")
# The classifier's states each reader serves.
READER_OF_STATE = {"award": "result", "ready": "ready", "playing": "playing"}

Classify = Callable[[np.ndarray], tuple[str, float]]


def inspect_frame(
    frame: np.ndarray, screen: str, classify: Classify | None, songs: Sequence[Song]
) -> dict[str, Any]:
    """The reading of one BGR frame; ``read`` says whether what was asked was found."""
    ref = to_reference(frame)
    state, confidence = classify(ref) if classify is not None else (None, None)
    reader = screen if screen != "auto" else READER_OF_STATE.get(state or "", "")
    out: dict[str, Any] = {
        "size": [int(frame.shape[1]), int(frame.shape[0])],
        "state": state,
        "confidence": None if confidence is None else round(float(confidence), 3),
        "result": None,
        "ready": None,
        "playing": None,
    }
    read = state is not None and state != "unknown"
    if reader == "result":
        r = read_result(ref, songs)
        out["result"] = {k: v for k, v in r.as_dict().items()}
        read = r.complete
    elif reader == "ready":
        rd = read_ready(ref)
        out["ready"] = {**rd.as_dict(), **read_ready_song(ref).as_dict()}  # + the song's badge, level
        read = rd.mode is not None
    elif reader == "playing":
        from shared.note_detect import detect_notes

        p = read_playing(ref)
        out["playing"] = {"life": p.life, "notes": len(detect_notes(ref)), "playfield": p.playing}
        read = p.playing or p.life is not None
    out["read"] = bool(read)
    return out


def inspect_files(
    files: Sequence[Path],
    screen: str,
    classify: Classify | None,
    songs: Sequence[Song],
    emit: Callable[[str], None],
) -> int:
    """Prints one JSON line per file; 0 when every frame was read, 1 when one was not, 2
    when one could not be loaded (unreadable, not 16:9)."""
    worst = 0
    for path in files:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            emit(json.dumps({"file": str(path), "error": "not a readable image", "read": False}))
            worst = 2
            continue
        try:
            out = {"file": str(path), **inspect_frame(np.asarray(img, np.uint8), screen, classify, songs)}
        except FrameError as exc:
            emit(json.dumps({"file": str(path), "error": str(exc), "read": False}))
            worst = 2
            continue
        emit(json.dumps(out, ensure_ascii=False))
        if not out["read"]:
            worst = max(worst, 1)
    return worst
