"""Noticing a game that stopped drawing during a song (a frozen or suspended emulator):
the play engine keeps sending on schedule and the sender reports "done", so only the screen
can tell. During a song notes scroll towards the judge line all the time: the same picture
for ``FROZEN_S`` while notes were due means the game did not draw, and the play is recorded
as what it was (a frozen game), not as a normal clear."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence

from shared.device import Frame

FROZEN_S = 2.0
# A note is on screen this long before it is due (it scrolls down the lane): a still
# picture while one is on its way is a frozen game, not a quiet passage.
LEAD_S = 0.5


def signature(frame: Frame) -> bytes:
    """A cheap fingerprint of the picture (every 8th pixel): equal means not redrawn."""
    return hashlib.blake2b(frame[::8, ::8].tobytes(), digest_size=8).digest()


class FreezeWatch:
    """Fed a frame (or None: no frame could be taken) now and then during a song; reports
    the spans in which the picture did not change while notes were due."""

    def __init__(self, note_times_s: Sequence[float], t0: float) -> None:
        self._notes = sorted(note_times_s)
        self._t0 = t0  # the clock time of chart time 0
        self._last: bytes | None = None
        self._since: float | None = None  # when the picture last changed
        self.frozen: list[tuple[float, float]] = []  # (from, to) clock times

    def observe(self, frame: Frame | None, now: float) -> None:
        sig = None if frame is None else signature(frame)
        if sig is not None and sig != self._last:
            self._close(now)
            self._last, self._since = sig, now
        elif self._since is None:
            self._since = now

    def finish(self, now: float) -> list[tuple[float, float]]:
        self._close(now)
        self._since = None
        return self.frozen

    def _close(self, now: float) -> None:
        if self._since is None or now - self._since < FROZEN_S:
            return
        lo = bisect.bisect_left(self._notes, self._since - self._t0)
        if lo < len(self._notes) and self._notes[lo] <= now - self._t0 + LEAD_S:
            self.frozen.append((self._since, now))

    @property
    def longest_s(self) -> float:
        return max((b - a for a, b in self.frozen), default=0.0)


def words(frozen: list[tuple[float, float]]) -> str:
    """The history row's note for a play during which the game froze."""
    total = sum(b - a for a, b in frozen)
    times = "once" if len(frozen) == 1 else f"{len(frozen)} times"
    return f"the game froze during the song ({times}, {total:.1f} s without a new frame while notes were due)"
