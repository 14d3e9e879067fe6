"""Teach while it runs: a screen nothing places is asked about in the dashboard, and the
answer joins the screen gallery (services/recognition/ui/prototypes.py) at once.

The question shows the frame with the similar unplaced frames seen lately (one answer
labels the group), offers the states not yet taught first, and closes after the config's
time limit; the loop then recovers as it would have (BACK, restart), and does not ask again
for a while. Whether to ask follows the config: Auto asks while most recent frames go
unplaced and the game is not covered (a state is still untaught, and the run placed few
states the user never taught), and recovers otherwise, as before: once every state has the
user's frames it asks no more (scripts/bench_ui_gallery.py teach --iterative counts the
answers up to there)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from services.recognition.ui.embed import F32
from services.recognition.ui.gallery import GROUP_DIST, same_layout
from services.recognition.ui.labels import UNKNOWN, parse_label
from services.recognition.ui.preprocess import small
from services.recognition.ui.prototypes import ScreenReader
from shared.catalogue import screen as catalogue_screen
from shared.config.scriptor import AskUnplaced, ScriptorConfig
from shared.device import Frame
from shared.screens import UI_STATES
from shared.task_context import TIMED_OUT, TaskContext

WINDOW = 30  # recent frames whose placed share decides Auto
MIN_SEEN = 5  # Auto decides after this many frames
AUTO_PLACED = 0.5  # Auto asks while under half of the recent frames were placed
# ... and the game is not covered yet: covered is a gallery where every state has the user's
# frames, or a run that placed this many states the user never taught (the trained
# classifier or the shipped prototypes know the game: the simulator). A covered game
# recovers from a burst of unknown frames (a popup nobody labelled, an ad) as before,
# instead of waiting on the user. States the user taught do not count towards the second:
# a first run on a new game that has taught 8 screens is not covered, 26 are still to come.
AUTO_COVERED = 8
KEEP = 40  # unplaced frames kept to group with the next question
SHOWN = 8  # frames of a group on the picture sent with the question
QUIET_S = 600.0  # after an unanswered question, recover without asking for this long
GROUP_SIZE = (320, 180)  # group members are kept at this size (the frame asked about: full)


@dataclass
class Unplaced:
    frame: Frame
    desc: F32
    layout: F32


class Teacher:
    def __init__(
        self,
        ctx: TaskContext[ScriptorConfig],
        reader: ScreenReader,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx, self.reader, self.clock = ctx, reader, clock
        self.recent: deque[bool] = deque(maxlen=WINDOW)  # placed or not
        self.placed_states: set[str] = set()  # in this run
        self.unplaced: deque[Unplaced] = deque(maxlen=KEEP)
        self.quiet_until = float("-inf")
        self.asked = self.taught = 0

    def wants(self) -> bool:
        mode = self.ctx.config.ask_unplaced
        if mode == AskUnplaced.Recover or self.clock() < self.quiet_until:
            return False
        if mode == AskUnplaced.Ask:
            return True
        seen = len(self.recent)
        if seen < MIN_SEEN or sum(self.recent) / seen >= AUTO_PLACED:
            return False
        taught = {s for s, n in self.reader.user_counts().items() if n}
        return len(taught) < len(UI_STATES) and len(self.placed_states - taught) < AUTO_COVERED

    def settle(self, state: str, frame: Frame) -> str:
        """The state to act on: ``state`` when placed; else the user's answer when asking
        is due and they answer, else ``unknown`` (the loop recovers)."""
        self.recent.append(state != UNKNOWN)
        if state != UNKNOWN:
            self.placed_states.add(state)
            return state
        e = self.reader.embedder.small_batch(small(frame)[None])
        desc, layout = e.descriptors[0], e.layouts[0]
        if not self.wants():
            self.unplaced.append(Unplaced(_smaller(frame), desc, layout))
            return UNKNOWN
        return self.ask(frame, e.predictions[0].state, desc, layout) or UNKNOWN

    def ask(self, frame: Frame, was: str, desc: F32, layout: F32) -> str | None:
        # a screen answered "none of them", in this run or an earlier one, is not asked again
        if self.reader.was_dismissed(desc):
            return None
        near = [u for u in self.unplaced if float(u.desc @ desc) >= 1.0 - GROUP_DIST]
        # one answer labels only the frames laid out as this one (not a sibling screen's)
        keep = same_layout(list(range(len(near) + 1)), np.stack([layout, *[u.layout for u in near]]))
        group = [near[j - 1] for j in keep[1:]]
        placement = self.reader.gallery.place(desc[None])[0] if len(self.reader.gallery) else None
        guess = placement.best if placement is not None else None
        self._show(frame, group, guess)
        untaught = self.reader.untaught()
        states = untaught + [s for s in UI_STATES if s not in untaught]
        prompt = (
            f"The scriptor cannot place this screen ({len(group)} similar frame(s) seen with it); "
            f"it waits for your answer. Which state is it? Answer No with the state"
            + (f", Yes for '{guess}' (nearest; its buttons drawn last)" if guess else "")
            + ", or Drop if it is none of them (it recovers)."
            + (f"\nNot taught yet: {', '.join(untaught)}" if untaught else "")
            + "\nThe states and their buttons:\n"
            + "\n".join(describe(s) for s in states)
        )
        options = ("Yes", "No", "Drop") if guess else ("No", "Drop")
        self.asked += 1
        reply = self.ctx.ask(
            prompt, options, text="state", choices=states, timeout_s=float(self.ctx.config.ask_timeout_s)
        )
        if reply.answer == TIMED_OUT:
            self.quiet_until = self.clock() + QUIET_S
            self.ctx.log(
                f"no answer in {self.ctx.config.ask_timeout_s} s: recovering, no question for "
                f"{QUIET_S / 60:.0f} min",
                "warning",
            )
            self.unplaced.append(Unplaced(_smaller(frame), desc, layout))
            return None
        if reply.answer == "Drop":
            self.reader.dismiss(frame)
            for u in group:
                self.reader.dismiss(u.frame)
            self._forget(group)
            return None
        state = guess if reply.answer == "Yes" else parse_label(reply.text, allow_unknown=False)
        if state is None:
            self.ctx.log(f"{reply.text!r} is not a state: recovering instead", "warning")
            return None
        self.reader.teach(frame, state)
        for u in group:
            self.reader.teach(u.frame, state)
        self._forget(group)
        self.taught += 1 + len(group)
        self.ctx.log(f"taught {state}: {1 + len(group)} frame(s) joined the screen gallery (read as {was})")
        return state

    def _forget(self, group: list[Unplaced]) -> None:
        gone = {id(u) for u in group}
        self.unplaced = deque((u for u in self.unplaced if id(u) not in gone), maxlen=KEEP)

    def _show(self, frame: Frame, group: list[Unplaced], guess: str | None) -> None:
        tiles = [_smaller(frame)] + [u.frame for u in group[: SHOWN - 1]]
        if guess is not None:
            tiles.append(schematic(guess))
        sheet = np.concatenate([cv2.resize(t, GROUP_SIZE, interpolation=cv2.INTER_AREA) for t in tiles], 1)
        ok, png = cv2.imencode(".png", sheet)
        if ok:
            self.ctx.image(png.tobytes(), kind="frame", meta={"unplaced": True, "group": len(group)})


def describe(state: str) -> str:
    """One line: the state, its buttons (the catalogue's), the screen it is a dialog over."""
    sc = catalogue_screen(state)
    names = ", ".join(dict.fromkeys(b.name for b in sc.buttons)) or "no buttons"
    return f"{state}: {names}" + (f" (a dialog over {sc.parent})" if sc.parent else "")


def schematic(state: str) -> Frame:
    """The catalogue's buttons of ``state`` as boxes with their names, at GROUP_SIZE."""
    w, h = 1280, 720
    img = np.full((h, w, 3), 40, np.uint8)
    for b in catalogue_screen(state).buttons:
        x1, y1, x2, y2 = b.box
        cv2.rectangle(img, (x1, y1), (x2, y2), (0, 200, 255), 3)
        cv2.putText(
            img, b.name, (x1 + 4, max(y1 + 30, 30)), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2
        )
    cv2.putText(img, state, (20, h - 24), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 255, 0), 3)
    return _smaller(img)


def _smaller(frame: Frame) -> Frame:
    return np.ascontiguousarray(cv2.resize(frame, GROUP_SIZE, interpolation=cv2.INTER_AREA))
