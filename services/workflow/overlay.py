"""What the play engine sees in a frame: the note detector's HSV masks tinted over the
frame and each detected note boxed with its kind and depth (WalkThroughSheet). Pure: a
frame in, a frame out; the detector is the play engine's own
(``shared.note_detect``)."""

from __future__ import annotations

import cv2
import numpy as np

from shared.note_detect import NoteBox, detect_notes, hsv_of, kind_mask
from shared.playfield import JUDGE_Y, LANE_X, NOTE_COLOURS, TOP_Y, TRACK, x_at

# Drawing colours per kind (BGR), bright and apart from each other on a dark track.
BOX_BGR: dict[str, tuple[int, int, int]] = {
    "tap": (255, 200, 0),
    "long": (0, 255, 0),
    "flick": (255, 0, 255),
    "skill": (0, 255, 255),
    "directional": (0, 128, 255),
}
assert set(BOX_BGR) == set(NOTE_COLOURS)


def masks(frame: np.ndarray) -> dict[str, np.ndarray]:
    """Each kind's HSV mask over the note track (frame coordinates, 0/255)."""
    x1, y1, x2, y2 = TRACK
    hsv = hsv_of(frame[y1:y2, x1:x2])
    out: dict[str, np.ndarray] = {}
    for kind in NOTE_COLOURS:
        full = np.zeros(frame.shape[:2], np.uint8)
        full[y1:y2, x1:x2] = kind_mask(hsv, kind)
        out[kind] = full
    return out


def draw_overlay(frame: np.ndarray, notes: list[NoteBox] | None = None) -> tuple[np.ndarray, list[NoteBox]]:
    """The frame with masks, boxes and labels drawn; returns it with the notes found."""
    found = detect_notes(frame) if notes is None else notes
    out = frame.copy()
    for kind, m in masks(frame).items():
        on = m > 0
        out[on] = (0.4 * out[on] + 0.6 * np.array(BOX_BGR[kind])).astype(np.uint8)
    x1, y1, x2, y2 = TRACK
    cv2.rectangle(out, (x1, y1), (x2, y2), (200, 200, 200), 1)
    cv2.line(out, (x1, TOP_Y), (x2, TOP_Y), (200, 200, 200), 1)
    cv2.line(out, (x1, JUDGE_Y), (x2, JUDGE_Y), (255, 255, 255), 1)
    for x in LANE_X:  # each lane as the perspective model has it
        cv2.line(out, (round(x_at(x, TOP_Y)), TOP_Y), (x, JUDGE_Y), (160, 160, 160), 1)
    for b in found:
        colour = BOX_BGR[b.kind]
        cv2.rectangle(out, (b.x - 2, b.y - 2), (b.x + b.w + 2, b.y + b.h + 2), colour, 2)
        label = f"{b.kind} {b.depth:.3f}"
        cv2.putText(out, label, (b.x, max(b.y - 6, 12)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3)
        cv2.putText(out, label, (b.x, max(b.y - 6, 12)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1)
    return out, found
