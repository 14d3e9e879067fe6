"""The recovery ladder as pure logic: every rule with a fake clock."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import FrozenInstanceError

import pytest

from services.scriptor.actions import ACTIONS, Flow, Taps, Wait
from services.scriptor.recovery import UNKNOWN, Decision, Recovery, RecoveryPolicy, Step
from shared.screens import UI_STATES


class Ladder:
    """The ladder carried from cycle to cycle (a ``Recovery`` is a value: each call
    returns the next one), as the decider and the executor hand it on."""

    def __init__(self, policy: RecoveryPolicy | None = None) -> None:
        self.rec = Recovery(policy or RecoveryPolicy())

    def observe(self, state: str, now: float) -> Decision:
        decision, self.rec = self.rec.observe(state, now)
        return decision

    def tapped(self, state: str, x: int, y: int) -> None:
        self.rec = self.rec.tapped(state, x, y)

    def restarted(self, now: float) -> None:
        self.rec = self.rec.restarted(now)

    def configure(self, max_same_state: int, protected: Iterable[str]) -> None:
        self.rec = self.rec.configure(max_same_state, protected)


def test_every_state_has_an_action_and_waiting_screens_wait() -> None:
    assert set(ACTIONS) == set(UI_STATES)
    for state in ("loading", "join_loading", "join_wait", "ready_done"):
        assert isinstance(ACTIONS[state], Wait)
    assert isinstance(ACTIONS["ready"], Flow) and isinstance(ACTIONS["award"], Taps)


def test_unknown_after_a_dialog_tries_its_dismiss_once_then_backs_every_1_5_s() -> None:
    rec = Ladder()
    assert rec.observe("download", 0.0).step is Step.act
    assert rec.observe(UNKNOWN, 1.0).step is Step.safe_tap
    steps = [rec.observe(UNKNOWN, 1.0 + 0.5 * i).step for i in range(1, 8)]
    # BACK at once, then only every 1.5 s.
    assert steps == [Step.back, Step.wait, Step.wait, Step.back, Step.wait, Step.wait, Step.back]


def test_unknown_without_a_dialog_goes_straight_to_back() -> None:
    rec = Ladder()
    rec.observe("choose", 0.0)
    assert rec.observe(UNKNOWN, 1.0).step is Step.back


def test_back_for_60_s_then_at_most_two_restarts_then_give_up() -> None:
    rec = Ladder(RecoveryPolicy(back_every_s=1.5, back_for_s=60.0, max_restarts=2))
    t = 0.0
    seen: list[Step] = []
    while t < 400:
        d = rec.observe(UNKNOWN, t)
        if d.step is Step.restart:
            rec.restarted(t)
        seen.append(d.step)
        if d.step is Step.give_up:
            break
        t += 0.5
    assert seen.count(Step.restart) == 2
    assert seen[-1] is Step.give_up
    # Three BACK phases of 60 s each (first try, after each restart) bound the time.
    assert 180 <= t <= 185


def test_a_known_screen_resets_the_ladder() -> None:
    rec = Ladder()
    for i in range(5):
        rec.observe(UNKNOWN, float(i))
    assert rec.observe("main_page", 10.0).step is Step.act
    assert rec.observe(UNKNOWN, 11.0).step is Step.back  # from the bottom again


def test_max_same_state_stops_unless_protected() -> None:
    policy = RecoveryPolicy(max_same_state=10)
    rec = Ladder(policy)
    steps = [rec.observe("loading", i * 0.1).step for i in range(10)]
    assert steps[:9] == [Step.act] * 9 and steps[9] is Step.give_up
    rec = Ladder(RecoveryPolicy(max_same_state=10))
    assert all(rec.observe("join_wait", i * 0.1).step is Step.act for i in range(50))


def test_live_config_changes_the_limit() -> None:
    rec = Ladder(RecoveryPolicy(max_same_state=100))
    for i in range(20):
        rec.observe("loading", i * 0.1)
    rec.configure(20, ["join_wait"])
    assert rec.observe("loading", 3.0).step is Step.give_up


def test_taps_that_do_not_land_count_as_stuck() -> None:
    rec = Ladder()
    for i in range(15):
        assert rec.observe("award", float(i) * 0.1).step is Step.act
        rec.tapped("award", 1080, 640)
    assert rec.observe("award", 2.0).step is Step.back


def test_bouncing_between_two_buttons_counts_as_stuck() -> None:
    rec = Ladder()
    steps = []
    for i in range(8):
        for state, x in (("stage", 1080), ("stage_choose", 1000)):
            steps.append(rec.observe(state, i + (0.5 if x == 1000 else 0.0)).step)
            rec.tapped(state, x, 640)
    # Fifteen taps in, seven and eight on two buttons: BACK instead of an eighth round.
    assert steps[:15] == [Step.act] * 15 and steps[15] is Step.back


def test_a_state_over_its_time_budget_is_stuck_but_play_is_not() -> None:
    rec = Ladder(RecoveryPolicy(budgets_s={"award": 30.0, "playing": 300.0}))
    assert rec.observe("award", 0.0).step is Step.act
    assert rec.observe("award", 31.0).step is Step.back
    rec = Ladder(RecoveryPolicy(budgets_s={"playing": 300.0}, max_same_state=1000))
    assert all(rec.observe("playing", float(t)).step is Step.act for t in range(0, 290, 2))


def test_the_ladder_is_a_value_no_call_changes_the_one_it_is_made_on() -> None:
    """Every call returns the next ladder; the one it was called on stays as it was (so
    the decider hands it on without copying), and none can be changed in place."""
    calls: list[Callable[[Recovery], object]] = [
        lambda r: r.observe("download", 0.0),
        lambda r: r.observe(UNKNOWN, 1.0),  # the safe tap
        *(lambda r, i=i: r.observe(UNKNOWN, 1.0 + i) for i in range(1, 70)),  # BACK, wait, restart
        lambda r: r.restarted(70.0),
        *(lambda r, i=i: r.tapped("award", 1080, 640, "award.ok") for i in range(16)),
        lambda r: r.observe("award", 71.0),  # taps not landing: a round counted
        lambda r: r.answered(),
        lambda r: r.configure(3, ["join_wait"]),
        *(lambda r, i=i: r.observe("loading", 72.0 + i) for i in range(3)),  # MAX_SAME_STATE
        lambda r: r.progressed(),
    ]
    rec, steps = Recovery(), set()
    for call in calls:
        before = copy.deepcopy(rec)
        out = call(rec)
        assert rec == before
        if isinstance(out, tuple):
            steps.add(out[0].step)
            out = out[1]
        assert isinstance(out, Recovery)
        rec = out
    assert steps == set(Step)  # every rung was climbed
    assert rec.restarts == 0 and not rec.unanswered_rounds and rec.last_known == "loading"
    with pytest.raises(FrozenInstanceError):
        rec.same = 0  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        rec.policy.max_same_state = 0  # type: ignore[misc]
    for name in ("taps", "history", "unanswered_rounds"):
        assert isinstance(getattr(rec, name), tuple)
