"""When the loop is stuck and what it does about it (docs/scriptor-and-play.md section 3),
as pure logic with the clock passed in, so every rule is tested without a device.

- An unknown (or low-confidence) screen: first one "safe" tap if one applies (the last
  known screen was a dialog: its dismiss tap), then BACK every ``back_every_s`` for up to
  ``back_for_s``; then restart the game, at most ``max_restarts`` times; then give up.
- A known screen that outstays its time budget, or taps that do not land (12 of the last
  15 on one button, or two buttons 6 times each), count as stuck and climb the same
  ladder from BACK.
- ``MAX_SAME_STATE`` identical states in a row stop the run unless the state is protected.
- One button not landing ``UNANSWERED_ROUNDS`` times, each time after BACK and coming back
  to its screen (a play-mode tile the game does not show), gives up at once, naming the
  button and the screen: no BACK or restart makes a missing button appear.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.scriptor.actions import DIALOGS

UNKNOWN = "unknown"

# Seconds a state may last before the loop counts as stuck. Waiting screens get long
# budgets so normal play never triggers a restart (a song is up to ~3 min; peers wait
# up to 300 s for a result).
DEFAULT_BUDGET_S = 30.0
STATE_BUDGETS_S: Mapping[str, float] = {
    "loading": 90.0,
    "join_loading": 120.0,
    "join_wait": 300.0,
    "ready_done": 120.0,
    "playing": 300.0,
    "award_loading": 60.0,
    "ready": 60.0,
    "choose": 60.0,
    "join_choose": 120.0,
    "story": 120.0,
    "story_dialog": 120.0,
}

TAP_WINDOW = 15  # taps remembered
SAME_BUTTON = 12  # of the last 15 on one button: the tap is not landing
TWO_BUTTONS = 6  # or two buttons this often each: bouncing between two screens
# Rounds of one button not landing (the ladder's BACK in between, its screen back again)
# before the run gives up naming it: the first may be a slow screen, the second a slow
# recovery; a third is the game not offering it.
UNANSWERED_ROUNDS = 3

TapKey = tuple[str, int, int, str]  # state, x, y, the catalogue button ("" if unnamed)


class Step(StrEnum):
    act = "act"  # do the state's normal action
    safe_tap = "safe_tap"  # repeat the last dialog's dismiss tap
    back = "back"  # press BACK
    wait = "wait"  # do nothing this cycle (between BACK presses)
    restart = "restart"  # stop and start the game
    give_up = "give_up"  # stop the run with an error bundle


@dataclass(frozen=True)
class Decision:
    step: Step
    reason: str = ""
    button: str = ""  # give_up: the catalogue button that the game never answered


@dataclass
class RecoveryPolicy:
    max_same_state: int = 100
    protected: frozenset[str] = frozenset({"join_wait", "ready_done"})
    back_every_s: float = 1.5
    back_for_s: float = 60.0
    max_restarts: int = 2
    budgets_s: Mapping[str, float] = field(default_factory=lambda: dict(STATE_BUDGETS_S))

    def budget(self, state: str) -> float:
        return self.budgets_s.get(state, DEFAULT_BUDGET_S)


@dataclass
class Recovery:
    policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)
    state: str = ""
    since: float = 0.0  # when the current state began
    same: int = 0  # identical states in a row
    taps: deque[TapKey] = field(default_factory=lambda: deque(maxlen=TAP_WINDOW))
    last_known: str = ""
    stuck_since: float | None = None  # when the BACK phase began
    last_back: float = float("-inf")
    safe_tapped: bool = False
    restarts: int = 0
    history: deque[tuple[float, str]] = field(default_factory=lambda: deque(maxlen=200))
    unanswered: int = 0  # cycles in a row on one screen that tapped it, without it changing
    # Per button: rounds of its taps not landing (each ended by the ladder's BACK); a tap
    # that moves the game on clears its count.
    unanswered_rounds: Counter[TapKey] = field(default_factory=Counter)
    _tapped: bool = False  # a tap since the last observation

    def configure(self, max_same_state: int, protected: Iterable[str]) -> None:
        """Live config: the loop calls this when the user changes the limits."""
        self.policy.max_same_state = max_same_state
        self.policy.protected = frozenset(protected)

    def tapped(self, state: str, x: int, y: int, button: str = "") -> None:
        """The loop tells which button it pressed (for the not-landing check)."""
        self.taps.append((state, x, y, button))
        self._tapped = True

    def answered(self) -> None:
        """The screen changed within its state (a ready control showed a tap): the taps land."""
        self.unanswered = 0

    def progressed(self) -> None:
        """A play completed: the game works, restarts start counting afresh."""
        self.restarts = 0
        self.unanswered_rounds.clear()

    def restarted(self, now: float) -> None:
        self.restarts += 1
        self.stuck_since = None
        self.safe_tapped = False
        self.taps.clear()
        self.since = now

    def _taps_not_landing(self) -> tuple[str, TapKey | None]:
        """Why the taps do not land ("" if they do), and the one button not landing."""
        if len(self.taps) < TAP_WINDOW:
            return "", None
        common = Counter(self.taps).most_common(2)
        if common[0][1] >= SAME_BUTTON:
            key = common[0][0]
            what = key[3] or key[0]
            return f"{common[0][1]} of the last {TAP_WINDOW} taps on one button ({what})", key
        if len(common) == 2 and common[1][1] >= TWO_BUTTONS:
            return f"bouncing between {common[0][0][0]} and {common[1][0][0]}", None
        return "", None

    def observe(self, state: str, now: float) -> Decision:
        """One cycle: the state the frame shows (``unknown`` below the confidence
        threshold) -> what to do."""
        if state != self.state:
            if self._tapped and self.taps:
                self.unanswered_rounds.pop(self.taps[-1], None)  # its tap moved the game on
            self.state, self.since, self.same, self.unanswered = state, now, 0, 0
            if state != UNKNOWN:
                # A known screen again: the ladder starts from the bottom next time.
                self.stuck_since, self.safe_tapped = None, False
        elif self._tapped:
            self.unanswered += 1
        self._tapped = False
        self.same += 1
        self.history.append((now, state))

        if state != UNKNOWN:
            self.last_known = state
            if self.same >= self.policy.max_same_state and state not in self.policy.protected:
                return Decision(Step.give_up, f"{state} seen {self.same} times in a row (MAX_SAME_STATE)")
            why, key = self._taps_not_landing()
            if key is not None and self.stuck_since is None:
                self.unanswered_rounds[key] += 1
                rounds = self.unanswered_rounds[key]
                if rounds >= UNANSWERED_ROUNDS:
                    what = key[3] or f"({key[1]},{key[2]})"
                    why = f"{what} on {state} not answered in {rounds} rounds, BACK between them"
                    return Decision(Step.give_up, why, key[3] or what)
            if not why and now - self.since > self.policy.budget(state):
                why = f"{state} for {now - self.since:.0f} s (budget {self.policy.budget(state):.0f} s)"
            if not why and self.stuck_since is None:
                return Decision(Step.act)
            return self._ladder(now, why or "still stuck")

        if not self.safe_tapped and self.stuck_since is None and self.last_known in DIALOGS:
            self.safe_tapped = True
            return Decision(Step.safe_tap, f"unknown screen after {self.last_known}: its dismiss tap once")
        return self._ladder(now, "unknown screen")

    def _ladder(self, now: float, why: str) -> Decision:
        if self.stuck_since is None:
            self.stuck_since = now
        if now - self.stuck_since <= self.policy.back_for_s:
            if now - self.last_back >= self.policy.back_every_s:
                self.last_back = now
                self.taps.clear()
                return Decision(Step.back, why)
            return Decision(Step.wait, why)
        if self.restarts < self.policy.max_restarts:
            return Decision(Step.restart, f"{why}; BACK for {self.policy.back_for_s:.0f} s did not help")
        return Decision(Step.give_up, f"{why}; still stuck after {self.restarts} restarts of the game")
