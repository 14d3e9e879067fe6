"""Calibration: from a play's measured offset to a ``correction_time`` (pure).

A known chart is played; the offset comes from the result screen's FAST/SLOW counts or
from bangcheater's ``C`` reply. Automatic correction between plays moves the correction a
few ms per step at most, and never more than +-12 ms in total from the user's value
(docs/scriptor-and-play.md section 5)."""

from __future__ import annotations

from dataclasses import dataclass

STEP_LIMIT_US = 2_000
TOTAL_LIMIT_US = 12_000
MIN_JUDGED = 10  # FAST + SLOW below this say nothing


def shift_from_fast_slow(fast: int, slow: int, step_us: int = STEP_LIMIT_US) -> int:
    """The correction change (us) the counts ask for: FAST notes were hit early, so touches
    go later (positive); SLOW ones earlier. Proportional to the imbalance, at most a step."""
    judged = fast + slow
    if judged < MIN_JUDGED:
        return 0
    return round(step_us * (fast - slow) / judged)


def shift_from_measured(measured_us: int) -> int:
    """bangcheater's ``C`` reply is actual minus predicted first-beat time: touches move
    by as much (``correction_time`` is added to the prediction)."""
    return int(measured_us)


@dataclass(frozen=True)
class AutoCorrection:
    """The automatic correction on top of the user's ``correction_time``."""

    applied_us: int = 0
    step_limit_us: int = STEP_LIMIT_US
    total_limit_us: int = TOTAL_LIMIT_US

    def step(self, shift_us: int) -> AutoCorrection:
        """One bounded step towards ``shift_us``."""
        delta = max(-self.step_limit_us, min(self.step_limit_us, int(shift_us)))
        total = max(-self.total_limit_us, min(self.total_limit_us, self.applied_us + delta))
        return AutoCorrection(total, self.step_limit_us, self.total_limit_us)

    def correction(self, user_correction_us: int) -> int:
        return user_correction_us + self.applied_us


def recommend_correction(current_us: int, shift_us: int) -> int:
    """After a calibration play: the whole measured shift (the user decides to keep it)."""
    return current_us + int(shift_us)
