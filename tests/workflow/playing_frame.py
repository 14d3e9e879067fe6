"""A frame of the song being played, drawn by the simulator's playfield with notes at
known places, for the dashboard's browser test of the WalkThroughSheet overlay:
``python -m tests.workflow.playing_frame OUT.png`` writes it and prints the notes drawn
(kind and centre in frame pixels) as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2

from services.simulator.field import NoteSprite, render_playfield
from shared.atomic_write import write_atomic
from shared.playfield import lane_x, y_of_depth

NOTES = (("tap", 1, 0.35), ("flick", 3, 0.6), ("long", 5, 0.8), ("skill", 6, 0.25))


def main(out: str) -> None:
    sprites = [NoteSprite(kind, lane_x(lane), y_of_depth(d)) for kind, lane, d in NOTES]
    ok, png = cv2.imencode(".png", render_playfield(sprites))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    write_atomic(Path(out), png.tobytes())
    print(json.dumps([{"kind": s.kind, "x": s.x, "y": s.y} for s in sprites]))


if __name__ == "__main__":
    main(sys.argv[1])
