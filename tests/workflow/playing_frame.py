"""A frame of the song being played, drawn by the simulator's playfield with notes at
known places, for the dashboard's browser test of the WalkThroughSheet overlay:
``python -m tests.workflow.playing_frame OUT.png`` writes it and prints the notes drawn
(kind, centre in frame pixels and OpenCV's HSV there) as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2

from services.simulator.field import NoteSprite, render_playfield
from shared.atomic_write import write_atomic
from shared.playfield import lane_x, x_at, y_of_depth

NOTES = (("tap", 1, 0.35), ("flick", 3, 0.6), ("long", 5, 0.8), ("skill", 6, 0.25))


def main(out: str) -> None:
    sprites = [NoteSprite(kind, lane_x(lane), y_of_depth(d)) for kind, lane, d in NOTES]
    frame = render_playfield(sprites)
    ok, png = cv2.imencode(".png", frame)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    write_atomic(Path(out), png.tobytes())
    hsv = cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)
    drawn = []
    for s in sprites:
        x, y = round(x_at(s.x, s.y)), int(s.y)  # drawn along its lane, in perspective
        drawn.append({"kind": s.kind, "x": x, "y": y, "hsv": [int(v) for v in hsv[y, x]]})
    print(json.dumps(drawn))


if __name__ == "__main__":
    main(sys.argv[1])
