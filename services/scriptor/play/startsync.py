"""Start sync: from frames, when chart time 0 reaches the judge line (docs/domain.md 8).

First the health bar's pixel says play has begun; then the first falling note is found
by colour and its depth, through the first-note curve (``shared.playfield.time_to_judge``),
says how long until it is judged. Each frame gives one prediction (capture time minus the
capture latency plus time-to-judge); their median is the estimate. Fed frames and their
capture times, it is pure: tests draw the frames."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field

import numpy as np

from shared.note_detect import detect_notes, health_bar_on
from shared.playfield import Coefficients, current_coefficients, time_to_judge

log = logging.getLogger(__name__)

SAME_NOTE_S = 0.060  # predictions further apart than this are another note
SLOW_FRAME_S = 0.150  # slower frames than this: start from fewer samples, and say so
DEPTH_RANGE = (0.02, 0.98)  # where a note's depth is trusted (not cut by the track edges)
# From the health bar to chart time 0 (the lead-in: the simulator's default is 2 s, the
# game's a few seconds), with room for a loaded machine: added to what the chart needs.
LEAD_IN_MARGIN_S = 8.0
# From the playing screen to the health bar (the song's intro, loading).
HEALTH_WAIT_S = 15.0


def note_wait_s(first_note_s: float, coefficients: Coefficients) -> float:
    """How long after the health bar the first note may take to be seen: its chart time,
    the fall time of a note from the top of the track, and the lead-in margin. Any BPM and
    lead-in: the chart's first note says when (a first note 30 s in waits 30 s more)."""
    fall_s = max(time_to_judge(0.0, coefficients), 0.0)
    return max(first_note_s, 0.0) + fall_s + LEAD_IN_MARGIN_S


class StartSyncError(RuntimeError):
    """No start could be found (no note after the health bar, within the time allowed)."""


@dataclass(frozen=True)
class StartEstimate:
    chart0: float  # when chart time 0 reaches the judge line, on the capture clock (s)
    samples: int
    fps: float  # frame rate seen
    method: str  # "notes" or "health"
    spread_ms: float  # max - min of the predictions used


@dataclass
class StartSync:
    first_note_s: float  # chart time of the chart's first note (after dilation)
    capture_latency_s: float = 0.0  # from the screen showing a frame to it reaching us
    coefficients: Coefficients = field(default_factory=current_coefficients)
    want_samples: int = 5
    note_timeout_s: float | None = None  # after the health bar; None: ``note_wait_s`` of the chart
    health_lead_s: float | None = None  # fallback: health bar onset -> chart time 0, when known
    health_at: float | None = None
    predictions: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.note_timeout_s is None:
            self.note_timeout_s = note_wait_s(self.first_note_s, self.coefficients)

    @property
    def wait_s(self) -> float:
        """The longest a sync may take from the playing screen: the health bar, then the note."""
        assert self.note_timeout_s is not None
        return HEALTH_WAIT_S + self.note_timeout_s

    @property
    def fps(self) -> float:
        if len(self.times) < 2:
            return 0.0
        gaps = [b - a for a, b in zip(self.times, self.times[1:], strict=False)]
        med = statistics.median(gaps)
        return 1.0 / med if med > 0 else 0.0

    def _done(self, method: str = "notes") -> StartEstimate:
        fps = self.fps
        if method == "notes":
            p = self.predictions
            est = StartEstimate(
                statistics.median(p) - self.first_note_s, len(p), fps, method, (max(p) - min(p)) * 1e3
            )
        else:
            assert self.health_at is not None and self.health_lead_s is not None
            est = StartEstimate(self.health_at + self.health_lead_s, 0, fps, method, 0.0)
        log.info(
            "start sync: chart time 0 at %.4f from %s (%d samples, %.1f fps, spread %.1f ms)",
            est.chart0,
            method,
            est.samples,
            fps,
            est.spread_ms,
        )
        return est

    def feed(self, frame: np.ndarray, captured_at: float) -> StartEstimate | None:
        """One frame and the monotonic time it was captured; an estimate once there is one."""
        shown_at = captured_at - self.capture_latency_s
        self.times.append(captured_at)
        if self.health_at is None:
            if health_bar_on(frame):
                self.health_at = shown_at
            else:
                return None
        slow = len(self.times) >= 2 and self.times[-1] - self.times[-2] > SLOW_FRAME_S
        notes = [b for b in detect_notes(frame) if DEPTH_RANGE[0] <= b.depth <= DEPTH_RANGE[1]]
        if notes:
            predicted = shown_at + time_to_judge(notes[0].depth, self.coefficients)
            if self.predictions and abs(predicted - statistics.median(self.predictions)) > SAME_NOTE_S:
                return self._done()  # the first note has passed; another is the lowest now
            self.predictions.append(predicted)
            if len(self.predictions) >= self.want_samples:
                return self._done()
            if slow:
                log.warning(
                    "start sync: frames too slow (%.1f fps); starting from %d sample(s)",
                    self.fps,
                    len(self.predictions),
                )
                return self._done()
        elif self.predictions:
            return self._done()  # the note reached the judge line before enough samples
        assert self.note_timeout_s is not None
        if shown_at - self.health_at > self.note_timeout_s:
            if self.health_lead_s is not None:
                log.warning(
                    "start sync: no falling note seen (%.1f fps); using the health bar onset", self.fps
                )
                return self._done("health")
            raise StartSyncError(
                f"no falling note seen in {self.note_timeout_s:.1f} s after the health bar "
                f"(the chart's first note is at {self.first_note_s:.1f} s; {self.fps:.1f} fps): "
                "is the playfield visible?"
            )
        return None
