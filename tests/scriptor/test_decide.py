"""The scriptor's decisions as plain data: memory + what the screen shows + config in,
intents and the next memory out. No device, no clock, no Redis, no frames: each state's
rule is one call of ``decide``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from services.scriptor import flows
from services.scriptor.actions import ACTIONS, Flow, back, press
from services.scriptor.decide import (
    CONTROL_WAIT,
    FLOWS,
    Observation,
    decide,
    skip,
    start_taps,
)
from services.scriptor.intents import (
    Decision,
    EndRun,
    GiveUp,
    Note,
    PlaySong,
    PreparePlay,
    Press,
    ReadResult,
    RecordLost,
    RecordSkipped,
    Recover,
    SitOut,
)
from services.scriptor.memory import Controls, ControlTap, Memory, Pending, Skipped
from services.scriptor.play.plan import TouchPlan
from services.scriptor.recovery import UNKNOWN, Recovery, Step
from shared.chart.model import BpmChange, Chart
from shared.config.scriptor import ScriptorConfig


@dataclass(frozen=True)
class Seen:
    """What a frame shows, as the decider asks for it."""

    controls: Controls = ("off", False)
    unread: bool = False
    song: int | None = None
    charts: frozenset[int] = frozenset({3})

    def ready_controls(self) -> Controls:
        return self.controls

    def story_unread(self) -> bool:
        return self.unread

    def song_on_screen(self) -> int | None:
        return self.song

    def chart_difficulties(self, song_id: int) -> frozenset[int]:
        return self.charts


def cfg(**fields: Any) -> ScriptorConfig:
    return ScriptorConfig.model_validate({"mode": "Free", **fields})


def pending(song_id: int = 1, played: bool = False) -> Pending:
    chart = Chart((BpmChange(0.0, 120.0),), ())
    return Pending(song_id, 3, chart, TouchPlan((), 0, 0, 0), played=played)


def one(
    memory: Memory, state: str, now: float = 0.0, seen: Seen | None = None, **config: Any
) -> tuple[Decision, Memory]:
    return decide(memory, Observation(state, now, seen or Seen(), songs_listed=5), cfg(**config))


def run(states: list[tuple[str, float]], **config: Any) -> list[Decision]:
    """Cycles one after the other, the memory carried along."""
    memory, out = Memory(), []
    for state, now in states:
        d, memory = one(memory, state, now, **config)
        out.append(d)
    return out


def test_a_fixed_sequence_state_presses_its_buttons_as_its_action() -> None:
    d, m = one(Memory(), "award_dialog")
    assert d.intents == (Press("award_dialog", ACTIONS["award_dialog"].taps),)  # type: ignore[union-attr]
    assert d.acts and m.recovery.state == "award_dialog"
    assert d.notes == (Note("a dialog (award_dialog) is over the screen: dismissing it"),)


def test_a_waiting_screen_presses_nothing() -> None:
    d, _ = one(Memory(), "loading")
    assert d.intents == () and d.acts


def test_the_decider_changes_nothing_it_is_given() -> None:
    memory = Memory(pending=pending())
    before = copy.deepcopy(memory.recovery)
    _, after = one(memory, "choose")
    assert memory.recovery.state == before.state == "" and not memory.recovery.history
    assert memory.pending is not None and after.pending is None  # the new memory drops it
    assert after.recovery is not memory.recovery


def test_no_rule_changes_the_memory_the_observation_or_the_config_it_is_given() -> None:
    """Every state's rule on memories that reach its branches: what went in is equal to
    its deep copy afterwards (the decider copies nothing, it builds the next memory)."""
    room = cfg(mode="Collaborate", MAX_RE_READY=1)
    _, stuck = Recovery().observe("ready", 0.0)
    memories = [
        Memory(),
        Memory(pending=pending(), ready_seen=3),
        Memory(pending=pending(played=True), finished=True),
        Memory(skipped=NO_CHART, tapped_on="award"),
        Memory(recovery=replace(stuck, unanswered=2), control_tap=ControlTap(("3d", None), 1)),
        Memory(recovery=replace(stuck, same=20, stuck_since=0.5)),  # MAX_SAME_STATE; the ladder
    ]
    seen = [Seen(), Seen(controls=("mv", None), unread=True, song=4), Seen(controls=("off", True))]
    configs = [cfg(), room, cfg(is_play_one_song=True, play_one_song_id=9, MAX_SAME_STATE=10)]
    decided = 0
    for state in (*ACTIONS, UNKNOWN):
        for memory in memories:
            for s in seen:
                for config in configs:
                    obs = Observation(state, 1.0, s, songs_listed=5)
                    given = copy.deepcopy((memory, obs, config))
                    _, after = decide(memory, obs, config)
                    assert (memory, obs, config) == given, state
                    decided += after != memory
    assert decided > len(ACTIONS)


def test_a_screen_just_tapped_is_looked_at_again_before_it_is_tapped_again() -> None:
    d, m = one(Memory(tapped_on="main_page"), "main_page")
    assert d.intents == () and m.tapped_on is None
    d, _ = one(m, "main_page")
    assert d.intents == (Press("main_page", (press("main_page", "live"),)),)


def test_taps_that_do_not_move_the_game_on_are_said_then_the_game_reacting_again() -> None:
    m = Memory()
    for _ in range(2):
        _, m = one(m, "main_page")
        m = replace(
            m, recovery=m.recovery.tapped("main_page", 1, 1)
        )  # what the executor tells after its taps
    d, m = one(m, "main_page")
    assert any("did not move the game on" in n.message and n.level == "warning" for n in d.notes)
    d, _ = one(m, "playmode")
    assert Note("the game reacts again (main_page -> playmode)") in d.notes


# -- ready ----------------------------------------------------------------------------
def test_ready_with_the_controls_off_prepares_a_play() -> None:
    d, m = one(Memory(), "ready")
    assert d.intents == (PreparePlay(),) and m.control_tap is None


def test_ready_taps_the_live_mode_then_waits_for_the_screen_to_show_it() -> None:
    seen = Seen(controls=("3d", None))
    d, m = one(Memory(), "ready", seen=seen)
    assert d.intents == (Press("ready", (flows.LIVE_MODE,)),) and m.control_tap == ControlTap(("3d", None))
    waits = []
    for i in range(CONTROL_WAIT):
        d, m = one(replace(m, tapped_on=None), "ready", float(i + 1), seen=seen)
        waits.append(d.intents)
    assert waits == [()] * CONTROL_WAIT  # a slow screen is not cycled past OFF
    d, m = one(replace(m, tapped_on=None), "ready", 9.0, seen=seen)
    assert d.intents == (Press("ready", (flows.LIVE_MODE,)),)  # still 3D: tapped again


def test_ready_unticks_cut_in_once_the_mode_is_off() -> None:
    d, _ = one(Memory(), "ready", seen=Seen(controls=("off", True)))
    assert d.intents == (Press("ready", (flows.CUT_IN,)),)
    d, _ = one(Memory(), "ready", seen=Seen(controls=("off", True)), is_checking_3d=False)
    assert d.intents == (PreparePlay(),)  # not checked: prepared at once


def test_a_control_that_changes_after_unanswered_taps_says_the_game_reacts() -> None:
    _, rec = Recovery().observe("ready", 0.0)
    m = Memory(recovery=replace(rec, unanswered=2), control_tap=ControlTap(("3d", None)))
    d, m2 = one(m, "ready", 1.0, seen=Seen(controls=("mv", None)))
    assert Note("the game reacts again (ready: a control changed)") in d.notes
    assert m2.recovery.unanswered == 0 and m.recovery.unanswered == 2


def test_solo_ready_again_after_start_presses_start_again() -> None:
    d, _ = one(Memory(pending=pending()), "ready")
    assert d.intents == (Press("ready", (flows.START,)),)


def test_a_room_waits_on_ready_then_presses_start_again() -> None:
    m = Memory(pending=pending(), ready_seen=1)
    intents = []
    for i in range(4):
        d, m = one(replace(m, tapped_on=None), "ready", float(i), mode="Collaborate", MAX_RE_READY=2)
        intents.append(d.intents)
    assert intents == [(), (), (Press("ready", (flows.START,)),), (Press("ready", (flows.START,)),)]


NO_CHART = Skipped(570, 3, "song 570 has no Expert chart")


def test_a_song_not_played_goes_back_solo() -> None:
    d, m = skip(Memory(), cfg(), NO_CHART)
    assert d.intents == (Press("ready", (back("ready"),)),)
    assert d.notes == (Note("song 570 has no Expert chart; skipped", "warning"),)
    assert m.skipped is None  # nothing played: nothing recorded


def test_a_room_song_not_played_is_said_once_started_and_recorded_at_its_result() -> None:
    room: dict[str, Any] = {"mode": "Event", "event": "Compete", "MAX_RE_READY": 2}
    d, m = skip(Memory(), cfg(**room), NO_CHART)
    assert d.intents == (Press("ready", (flows.START,)),)  # the room goes on
    assert [n.message for n in d.notes] == [
        "song 570 has no Expert chart: ready pressed, the song is left to the others (no touches)"
    ]
    assert m.skipped == NO_CHART
    # Ready again while the others get ready: waits, says nothing, never prepares again.
    said: list[Note] = []
    intents = []
    for i in range(4):
        d, m = one(replace(m, tapped_on=None), "ready", float(i), **room)
        said += d.notes
        intents.append(d.intents)
    assert said == [] or all(not n.keep for n in said)
    assert intents == [(), (), (Press("ready", (flows.START,)),), (Press("ready", (flows.START,)),)]
    # The song runs without touches, then its result is recorded as skipped, once.
    d, m = one(m, "playing", 5.0, **room)
    assert d.intents == (SitOut(),)
    d, m = one(m, "award", 6.0, **room)
    assert d.intents[0] == RecordSkipped(NO_CHART)
    assert m.skipped is None
    d, m = one(replace(m, tapped_on=None), "award", 7.0, **room)
    assert not any(isinstance(i, RecordSkipped) for i in d.intents)
    # The next song is prepared as usual.
    d, m = one(m, "ready", 8.0, **room)
    assert d.intents == (PreparePlay(),)


def test_a_room_song_whose_result_never_showed_is_recorded_at_song_select() -> None:
    d, m = one(Memory(skipped=NO_CHART), "join_choose", mode="Collaborate")
    assert d.intents[0] == RecordSkipped(NO_CHART)
    assert m.skipped is None


def test_a_prepared_play_picks_its_difficulty_then_starts() -> None:
    assert start_taps(cfg(), [3]) == (flows.START,)  # fixed on song select
    taps = start_taps(cfg(mode="Collaborate"), [2])  # picked on ready in a room
    assert taps == (press("ready", "difficulty_hard", "pick"), flows.START)


# -- playing and the result --------------------------------------------------------------
def test_playing_plays_a_prepared_song_only() -> None:
    assert one(Memory(pending=pending()), "playing")[0].intents == (PlaySong(),)
    assert one(Memory(pending=pending(played=True)), "playing")[0].intents == ()
    assert one(Memory(), "playing")[0].intents == ()  # not ours: wait for its result


def test_the_result_is_read_before_the_result_screens_tap() -> None:
    d, _ = one(Memory(pending=pending(played=True)), "award")
    assert d.intents == (ReadResult("award"), Press("award", (press("award", "ok"),)))
    d, _ = one(Memory(pending=pending(played=True)), "failed")
    assert d.intents[0] == ReadResult("failed")
    d, _ = one(Memory(), "award")  # nothing of ours: just its tap
    assert d.intents == (Press("award", (press("award", "ok"),)),)


# -- song select ----------------------------------------------------------------------
def test_song_select_chooses_and_confirms() -> None:
    d, _ = one(Memory(), "choose")
    assert d.intents == (Press("choose", tuple(flows.song_select_taps(cfg(), "choose", 3))),)


def test_a_play_never_recorded_is_dropped_at_song_select() -> None:
    played = pending(played=True)
    d, m = one(Memory(pending=played), "choose")
    assert d.intents[0] == RecordLost(played, "its result was never shown (a fault)") and m.pending is None
    d, m = one(Memory(pending=pending(7)), "choose")
    assert Note("song 7: it was not played (a fault); not recorded", "warning") in d.notes
    assert not any(isinstance(i, RecordLost) for i in d.intents) and m.pending is None


def test_searching_for_one_song_moves_down_the_list_then_gives_up() -> None:
    d, m = one(Memory(), "choose", seen=Seen(song=4), is_play_one_song=True, play_one_song_id=9)
    assert d.intents == (Press("choose", (flows.next_song("choose"),)),) and m.search_moves == 1
    d, _ = one(
        replace(m, search_moves=10), "choose", seen=Seen(song=4), is_play_one_song=True, play_one_song_id=9
    )
    assert d.intents == (GiveUp("song 9 is not in the song list"),)  # twice the 5 songs listed
    # Found: its difficulty, Special falling back to Expert without a Special chart.
    d, _ = one(
        Memory(), "choose", seen=Seen(song=9), is_play_one_song=True, play_one_song_id=9, level="Special"
    )
    assert d.intents == (Press("choose", tuple(flows.song_select_taps(cfg(), "choose", 3))),)


def test_a_finished_run_leaves_the_room_then_ends_at_a_rest_state() -> None:
    d, m = one(Memory(finished=True), "join_choose", mode="Collaborate")
    assert d.intents == (Press("join_choose", (back("join_choose"),)),)
    d, m = one(m, "playmode", mode="Collaborate")
    assert d.intents == (EndRun("playmode"),) and m.at_rest
    d, m = one(Memory(finished=True, pending=pending(played=True)), "choose")
    assert not m.at_rest  # a play still to record first


# -- the other flows --------------------------------------------------------------------
def test_story_select_reads_a_marked_story_else_the_run_is_finished() -> None:
    d, m = one(Memory(), "story_choose", seen=Seen(unread=True))
    assert d.intents == (Press("story_choose", (flows.STORY_READ,)),) and not m.finished
    d, m = one(Memory(), "story_choose", seen=Seen(unread=False))
    assert d.intents == () and m.finished and d.notes == (Note("story: every story is read", keep=False),)


def test_config_flows_press_the_configured_buttons() -> None:
    assert one(Memory(), "playmode")[0].intents == (Press("playmode", (press("playmode", "free"),)),)
    assert one(Memory(), "tour", mode="Event", event="Tour")[0].intents == (
        Press("tour", (flows.tour_tap(cfg(mode="Event", event="Tour")),)),
    )
    assert one(Memory(), "compete")[0].intents == (Press("compete", (press("compete", "enter"),)),)
    assert one(Memory(finished=True), "compete")[0].intents == (Press("compete", (back("compete"),)),)
    assert one(Memory(finished=True), "award_back")[0].intents == (
        Press("award_back", (flows.award_back_tap(True),)),
    )


def test_every_flow_named_by_an_action_is_in_the_table() -> None:
    named = {a.name for a in ACTIONS.values() if isinstance(a, Flow)}
    assert named == set(FLOWS)


# -- unknown screens: the recovery ladder ----------------------------------------------
def test_unknown_after_a_dialog_repeats_its_dismiss_then_backs_waits_restarts_gives_up() -> None:
    decisions = run([("download", 0.0), (UNKNOWN, 1.0), (UNKNOWN, 1.5), (UNKNOWN, 2.0), (UNKNOWN, 3.1)])
    dismiss = ACTIONS["download"].taps  # type: ignore[union-attr]
    assert decisions[1].intents == (
        Recover(Step.safe_tap, "unknown screen after download: its dismiss tap once", dismiss),
    )
    assert decisions[2].intents == (Recover(Step.back, "unknown screen"),)
    assert decisions[3].intents == ()  # waiting between BACK presses
    assert decisions[4].intents == (Recover(Step.back, "unknown screen"),)
    assert not any(d.acts for d in decisions[1:])


def test_unknown_for_long_restarts_the_game_then_gives_up() -> None:
    m = Memory()
    steps: list[Recover] = []
    t = 0.0
    while t < 400 and not any(isinstance(i, Recover) and i.step is Step.give_up for i in steps):
        d, m = one(m, UNKNOWN, t)
        for i in d.intents:
            if isinstance(i, Recover):
                if i.step is Step.restart:
                    m = replace(m, recovery=m.recovery.restarted(t))  # the executor restarts the game
                steps.append(i)
        t += 1.0
    kinds = [i.step for i in steps]
    assert kinds.count(Step.restart) == 2 and kinds[-1] is Step.give_up
    assert "still stuck after 2 restarts" in steps[-1].why


def test_the_same_screen_too_often_gives_up() -> None:
    m = Memory()
    for i in range(10):
        d, m = one(replace(m, tapped_on=None), "main_page", float(i) * 0.1, MAX_SAME_STATE=10)
    assert d.intents == (Recover(Step.give_up, "main_page seen 10 times in a row (MAX_SAME_STATE)"),)


# -- a button the game never answers: a plain stop -------------------------------------
def drive(game: dict[tuple[str, str], str], start: str, cycles: int, **config: Any) -> list[Recover]:
    """Cycles against a tiny game: ``game[(state, button)]`` is the screen a tap leads to
    (absent: the tap does nothing), BACK leads to main_page; the executor's part (telling
    the recovery its taps, remembering the screen tapped) as ``loop.py`` does it."""
    m, state, steps = Memory(), start, []
    for i in range(cycles):
        d, m = one(m, state, i * 0.8, **config)
        tapped = False
        nxt = state
        for intent in d.intents:
            if isinstance(intent, Press):
                for tap in intent.taps:
                    m = replace(m, recovery=m.recovery.tapped(intent.state, tap.x, tap.y, tap.button))
                    nxt, tapped = game.get((intent.state, tap.button), nxt), True
            elif isinstance(intent, Recover):
                steps.append(intent)
                if intent.step is Step.back:
                    nxt = "main_page"
                if intent.step is Step.give_up:
                    return steps
        if d.acts:
            m = replace(m, tapped_on=state if tapped else None)
        state = nxt
    return steps


LIVE = {("main_page", "main_page.live"): "playmode"}


def test_a_play_mode_tile_the_game_does_not_show_ends_the_run_naming_cause_and_fix() -> None:
    # Event / Compete (the defaults) on a game running no event: the tile is never there.
    steps = drive(LIVE, "main_page", 400, mode="Event", event="Compete")
    assert [s.step for s in steps] == [Step.back, Step.back, Step.give_up]
    assert steps[-1].why.startswith(
        "the play-mode screen shows no Compete event (the game runs none now): "
        "set mode/event to what the game offers, e.g. Free"
    )


def test_a_tile_the_game_shows_is_played_on() -> None:
    game = {**LIVE, ("playmode", "playmode.free"): "loading"}
    steps = drive(game, "main_page", 60, mode="Free")
    assert not steps


def test_any_button_never_answered_ends_naming_the_button_and_the_screen() -> None:
    # Story mode: the play-mode screen's story button does nothing on this game.
    steps = drive(LIVE, "main_page", 400, mode="Story")
    assert steps[-1].step is Step.give_up
    button = flows.playmode_tap(cfg(mode="Story")).button
    assert steps[-1].why.startswith(f"the game never answered the button {button} on the playmode screen")


def test_a_button_that_lands_after_a_back_starts_its_count_afresh() -> None:
    m = Memory()
    rec = m.recovery
    tap = ("playmode", 1, 2, "playmode.free")
    t = 0.0
    for _ in range(2):  # two rounds of one button not landing, BACK after each
        for _ in range(15):
            _, rec = rec.observe("playmode", t)
            rec = rec.tapped(*tap)
            t += 0.1
        d, rec = rec.observe("playmode", t)
        assert d.step is Step.back
        _, rec = rec.observe("main_page", t + 1)
        t += 2
    rec = rec.tapped(*tap)
    _, rec = rec.observe("song_select", t)  # this time it landed
    assert not rec.unanswered_rounds
