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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

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
HISTORY = 200  # states remembered with their times (the error bundle's states.json)

T = TypeVar("T")
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


@dataclass(frozen=True)
class RecoveryPolicy:
    max_same_state: int = 100
    protected: frozenset[str] = frozenset({"join_wait", "ready_done"})
    back_every_s: float = 1.5
    back_for_s: float = 60.0
    max_restarts: int = 2
    budgets_s: Mapping[str, float] = field(default_factory=lambda: STATE_BUDGETS_S)

    def __post_init__(self) -> None:
        # Its own copy, typed read-only: a caller's dict changed later changes no policy.
        object.__setattr__(self, "budgets_s", dict(self.budgets_s))

    def budget(self, state: str) -> float:
        return self.budgets_s.get(state, DEFAULT_BUDGET_S)


Rounds = tuple[tuple[TapKey, int], ...]  # per button: rounds of its taps not landing


def _pushed(items: tuple[T, ...], item: T, keep: int) -> tuple[T, ...]:
    """``items`` with ``item`` appended, the oldest dropped beyond ``keep``."""
    return (*items[-(keep - 1) :], item) if keep > 1 else (item,)


def _without(rounds: Rounds, key: TapKey) -> Rounds:
    return tuple((k, n) for k, n in rounds if k != key)


@dataclass(frozen=True)
class Recovery:
    """The ladder's counters as a value: every method returns the next one, nothing it
    holds changes (the decider hands it on in ``Memory``; the executor replaces it after
    its taps and restarts)."""

    policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)
    state: str = ""
    since: float = 0.0  # when the current state began
    same: int = 0  # identical states in a row
    taps: tuple[TapKey, ...] = ()  # the last TAP_WINDOW taps, oldest first
    last_known: str = ""
    stuck_since: float | None = None  # when the BACK phase began
    last_back: float = float("-inf")
    safe_tapped: bool = False
    restarts: int = 0
    history: tuple[tuple[float, str], ...] = ()  # the last HISTORY states with their times
    unanswered: int = 0  # cycles in a row on one screen that tapped it, without it changing
    # Per button: rounds of its taps not landing (each ended by the ladder's BACK); a tap
    # that moves the game on clears its count.
    unanswered_rounds: Rounds = ()
    just_tapped: bool = False  # a tap since the last observation

    def configure(self, max_same_state: int, protected: Iterable[str]) -> Recovery:
        """Live config: the limits the user set (itself when they are unchanged)."""
        limits = (max_same_state, frozenset(protected))
        if limits == (self.policy.max_same_state, self.policy.protected):
            return self
        return replace(self, policy=replace(self.policy, max_same_state=limits[0], protected=limits[1]))

    def tapped(self, state: str, x: int, y: int, button: str = "") -> Recovery:
        """The executor tells which button it pressed (for the not-landing check)."""
        return replace(self, taps=_pushed(self.taps, (state, x, y, button), TAP_WINDOW), just_tapped=True)

    def answered(self) -> Recovery:
        """The screen changed within its state (a ready control showed a tap): the taps land."""
        return replace(self, unanswered=0)

    def progressed(self) -> Recovery:
        """A play completed: the game works, restarts start counting afresh."""
        return replace(self, restarts=0, unanswered_rounds=())

    def restarted(self, now: float) -> Recovery:
        """The executor restarted the game: the ladder's BACK phase starts afresh."""
        return replace(
            self, restarts=self.restarts + 1, stuck_since=None, safe_tapped=False, taps=(), since=now
        )

    def rounds(self, key: TapKey) -> int:
        """Rounds of ``key``'s taps not landing so far."""
        return next((n for k, n in self.unanswered_rounds if k == key), 0)

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

    def observe(self, state: str, now: float) -> tuple[Decision, Recovery]:
        """One cycle: the state the frame shows (``unknown`` below the confidence
        threshold) -> what to do, and the ladder for the next cycle."""
        r = self
        if state != r.state:
            kept = r.unanswered_rounds
            if r.just_tapped and r.taps:
                kept = _without(kept, r.taps[-1])  # its tap moved the game on
            r = replace(r, state=state, since=now, same=0, unanswered=0, unanswered_rounds=kept)
            if state != UNKNOWN:
                # A known screen again: the ladder starts from the bottom next time.
                r = replace(r, stuck_since=None, safe_tapped=False)
        elif r.just_tapped:
            r = replace(r, unanswered=r.unanswered + 1)
        r = replace(r, just_tapped=False, same=r.same + 1, history=_pushed(r.history, (now, state), HISTORY))

        if state != UNKNOWN:
            r = replace(r, last_known=state)
            if r.same >= r.policy.max_same_state and state not in r.policy.protected:
                return Decision(Step.give_up, f"{state} seen {r.same} times in a row (MAX_SAME_STATE)"), r
            why, key = r._taps_not_landing()
            if key is not None and r.stuck_since is None:
                rounds = r.rounds(key) + 1
                r = replace(r, unanswered_rounds=(*_without(r.unanswered_rounds, key), (key, rounds)))
                if rounds >= UNANSWERED_ROUNDS:
                    what = key[3] or f"({key[1]},{key[2]})"
                    why = f"{what} on {state} not answered in {rounds} rounds, BACK between them"
                    return Decision(Step.give_up, why, key[3] or what), r
            if not why and now - r.since > r.policy.budget(state):
                why = f"{state} for {now - r.since:.0f} s (budget {r.policy.budget(state):.0f} s)"
            if not why and r.stuck_since is None:
                return Decision(Step.act), r
            return r._ladder(now, why or "still stuck")

        if not r.safe_tapped and r.stuck_since is None and r.last_known in DIALOGS:
            why = f"unknown screen after {r.last_known}: its dismiss tap once"
            return Decision(Step.safe_tap, why), replace(r, safe_tapped=True)
        return r._ladder(now, "unknown screen")

    def _ladder(self, now: float, why: str) -> tuple[Decision, Recovery]:
        stuck_since = now if self.stuck_since is None else self.stuck_since
        r = replace(self, stuck_since=stuck_since)
        if now - stuck_since <= r.policy.back_for_s:
            if now - r.last_back >= r.policy.back_every_s:
                return Decision(Step.back, why), replace(r, last_back=now, taps=())
            return Decision(Step.wait, why), r
        if r.restarts < r.policy.max_restarts:
            return Decision(Step.restart, f"{why}; BACK for {r.policy.back_for_s:.0f} s did not help"), r
        return Decision(Step.give_up, f"{why}; still stuck after {r.restarts} restarts of the game"), r
