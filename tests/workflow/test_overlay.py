"""The WalkThroughSheet overlay on a frame the simulator drew: a box where each sprite is,
labelled with its kind, and the masks tinted."""

from __future__ import annotations

import numpy as np

from services.simulator.field import NoteSprite, render_playfield
from services.workflow.overlay import BOX_BGR, draw_overlay, masks
from shared.playfield import depth, lane_x, lane_x_at, x_at, y_of_depth


def test_the_overlay_boxes_every_drawn_note_with_its_kind_and_depth() -> None:
    drawn = [
        NoteSprite("tap", lane_x(0), y_of_depth(0.3)),
        NoteSprite("flick", lane_x(3), y_of_depth(0.55)),
        NoteSprite("skill", lane_x(5), y_of_depth(0.8)),
        NoteSprite("long", lane_x(6), y_of_depth(0.2)),
        NoteSprite("directional", lane_x(2), y_of_depth(0.7), direction="Right"),
    ]
    frame = render_playfield(drawn)
    out, notes = draw_overlay(frame)
    assert out.shape == frame.shape and not np.array_equal(out, frame)
    assert sorted(n.kind for n in notes) == sorted(s.kind for s in drawn)
    for s in drawn:
        (box,) = [n for n in notes if n.kind == s.kind]
        x = x_at(s.x, s.y)  # the sprite's lane at its height (perspective)
        assert box.x <= x <= box.x + box.w and box.y <= s.y <= box.y + box.h  # the box is on the sprite
        # ...and the detector puts it back on its lane (a directional's arrow shifts its box).
        assert abs(box.judge_x - s.x) < 15
        assert abs(box.depth - depth(s.y)) < 0.04  # flick arrow / skill diamond shift the centre a bit
        # The box outline is drawn in the kind's colour just outside the detected box.
        assert tuple(int(v) for v in out[box.y - 2, box.x + box.w // 2]) == BOX_BGR[s.kind]


def test_masks_cover_the_notes_and_nothing_of_an_empty_track() -> None:
    empty = render_playfield([])
    assert all(int(m.sum()) == 0 for m in masks(empty).values())
    assert draw_overlay(empty)[1] == []
    one = render_playfield([NoteSprite("tap", lane_x(4), y_of_depth(0.5))])
    m = masks(one)
    y = round(y_of_depth(0.5))
    x = round(lane_x_at(4, y))
    assert m["tap"][y, x] == 255 and all(m[k][y, x] == 0 for k in m if k != "tap")
