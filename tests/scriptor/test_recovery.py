"""The recovery ladder as pure logic: every rule with a fake clock."""

from __future__ import annotations

from services.scriptor.actions import ACTIONS, Flow, Taps, Wait
from services.scriptor.recovery import UNKNOWN, Recovery, RecoveryPolicy, Step
from shared.screens import UI_STATES


def test_every_state_has_an_action_and_waiting_screens_wait() -> None:
    assert set(ACTIONS) == set(UI_STATES)
    for state in ("loading", "join_loading", "join_wait", "ready_done"):
        assert isinstance(ACTIONS[state], Wait)
    assert isinstance(ACTIONS["ready"], Flow) and isinstance(ACTIONS["award"], Taps)


def test_unknown_after_a_dialog_tries_its_dismiss_once_then_backs_every_1_5_s() -> None:
    rec = Recovery()
    assert rec.observe("download", 0.0).step is Step.act
    assert rec.observe(UNKNOWN, 1.0).step is Step.safe_tap
    steps = [rec.observe(UNKNOWN, 1.0 + 0.5 * i).step for i in range(1, 8)]
    # BACK at once, then only every 1.5 s.
    assert steps == [Step.back, Step.wait, Step.wait, Step.back, Step.wait, Step.wait, Step.back]


def test_unknown_without_a_dialog_goes_straight_to_back() -> None:
    rec = Recovery()
    rec.observe("choose", 0.0)
    assert rec.observe(UNKNOWN, 1.0).step is Step.back


def test_back_for_60_s_then_at_most_two_restarts_then_give_up() -> None:
    rec = Recovery(RecoveryPolicy(back_every_s=1.5, back_for_s=60.0, max_restarts=2))
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
    rec = Recovery()
    for i in range(5):
        rec.observe(UNKNOWN, float(i))
    assert rec.observe("main_page", 10.0).step is Step.act
    assert rec.observe(UNKNOWN, 11.0).step is Step.back  # from the bottom again


def test_max_same_state_stops_unless_protected() -> None:
    policy = RecoveryPolicy(max_same_state=10)
    rec = Recovery(policy)
    steps = [rec.observe("loading", i * 0.1).step for i in range(10)]
    assert steps[:9] == [Step.act] * 9 and steps[9] is Step.give_up
    rec = Recovery(RecoveryPolicy(max_same_state=10))
    assert all(rec.observe("join_wait", i * 0.1).step is Step.act for i in range(50))


def test_live_config_changes_the_limit() -> None:
    rec = Recovery(RecoveryPolicy(max_same_state=100))
    for i in range(20):
        rec.observe("loading", i * 0.1)
    rec.configure(20, ["join_wait"])
    assert rec.observe("loading", 3.0).step is Step.give_up


def test_taps_that_do_not_land_count_as_stuck() -> None:
    rec = Recovery()
    for i in range(15):
        assert rec.observe("award", float(i) * 0.1).step is Step.act
        rec.tapped("award", 1080, 640)
    assert rec.observe("award", 2.0).step is Step.back


def test_bouncing_between_two_buttons_counts_as_stuck() -> None:
    rec = Recovery()
    steps = []
    for i in range(8):
        for state, x in (("stage", 1080), ("stage_choose", 1000)):
            steps.append(rec.observe(state, i + (0.5 if x == 1000 else 0.0)).step)
            rec.tapped(state, x, 640)
    # Fifteen taps in, seven and eight on two buttons: BACK instead of an eighth round.
    assert steps[:15] == [Step.act] * 15 and steps[15] is Step.back


def test_a_state_over_its_time_budget_is_stuck_but_play_is_not() -> None:
    rec = Recovery(RecoveryPolicy(budgets_s={"award": 30.0, "playing": 300.0}))
    assert rec.observe("award", 0.0).step is Step.act
    assert rec.observe("award", 31.0).step is Step.back
    rec = Recovery(RecoveryPolicy(budgets_s={"playing": 300.0}, max_same_state=1000))
    assert all(rec.observe("playing", float(t)).step is Step.act for t in range(0, 290, 2))
