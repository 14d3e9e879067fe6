"""Recording how notes fall, in the format of the shipped traces
(``shared/data/trace_first_note.json``: ``[[t, [depth, lateral]], ...]``;
``trace_note.json``: ``[[t, [[depth, lateral], ...]], ...]``). Pure: the task feeds each
frame's detected notes with the time it was captured."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.note_detect import NoteBox
from shared.playfield import LANE_X, TRACK

CENTRE_X = (LANE_X[0] + LANE_X[-1]) / 2
# Half the track's width on the judge line (edge lane centre + half a lane).
HALF_WIDTH = (LANE_X[-1] - LANE_X[0]) / 2 * (1 + 1 / (len(LANE_X) - 1))
GONE_DROP = 0.05  # the deepest note rising by more than this: the first note was judged


def lateral(box: NoteBox) -> float:
    """The note's place across the track, -1 (left edge) .. 1 (right edge), at any depth
    (the perspective undone: the x its lane has on the judge line)."""
    return (box.judge_x - CENTRE_X) / HALF_WIDTH


def whole(box: NoteBox) -> bool:
    """The box is not cut by the track's top or bottom edge (a cut box's centre is not the
    note's: it would bend the curve at both ends)."""
    return box.y > TRACK[1] and box.y + box.h < TRACK[3]


def point(box: NoteBox) -> list[float]:
    return [box.depth, lateral(box)]


@dataclass
class FirstNoteRecorder:
    """The song's first note, from the frame it appears until it is judged (the deepest
    note jumps back up) or leaves the track."""

    rows: list[list[object]] = field(default_factory=list)
    done: bool = False

    def feed(self, t: float, notes: list[NoteBox]) -> bool:
        """Adds a frame; True once the first note's fall is complete."""
        if self.done:
            return True
        on_track = [n for n in notes if whole(n)]
        if not on_track:
            self.done = bool(self.rows)
            return self.done
        deepest = max(on_track, key=lambda n: n.depth)
        if self.rows:
            last = self.rows[-1][1]
            assert isinstance(last, list)
            if deepest.depth < float(last[0]) - GONE_DROP:
                self.done = True
                return True
        self.rows.append([t, point(deepest)])
        return False


@dataclass
class NoteRecorder:
    """Every note on the track in every frame (frames without notes are not kept)."""

    rows: list[list[object]] = field(default_factory=list)

    def feed(self, t: float, notes: list[NoteBox]) -> None:
        pts = [point(n) for n in notes if whole(n)]
        if pts:
            self.rows.append([t, pts])
