"""Config-dependent taps: play mode, song select, ready, lobby, tour."""

from __future__ import annotations

from typing import Any

from services.scriptor.actions import Tap
from services.scriptor.flows import (
    EXPERT,
    SPECIAL,
    difficulty_index,
    lobby_taps,
    playmode_tap,
    ready_difficulty_taps,
    song_select_taps,
    tour_tap,
)
from shared.catalogue import button
from shared.config.scriptor import Level, ScriptorConfig


def cfg(**kw: Any) -> ScriptorConfig:
    return ScriptorConfig.model_validate(kw)


def xy(taps: list[Tap]) -> list[tuple[int, int]]:
    return [(t.x, t.y) for t in taps]


def names(taps: list[Tap]) -> list[str]:
    return [t.button for t in taps]


def at(state: str, name: str, when: str = "") -> tuple[int, int]:
    return button(state, name, when).tap_point


def test_playmode_by_mode_and_event() -> None:
    assert (playmode_tap(cfg(mode="Free")).x, playmode_tap(cfg(mode="Free")).y) == (800, 480)
    assert (playmode_tap(cfg(mode="Stage")).x, playmode_tap(cfg(mode="Stage")).y) == (920, 600)
    for event, want in (("Mission", (1080, 480)), ("Tour", (800, 240)), ("Compete", (1080, 240))):
        t = playmode_tap(cfg(mode="Event", event=event))
        assert (t.x, t.y) == want, event


def test_special_falls_back_to_expert_only_without_a_special_chart() -> None:
    assert difficulty_index(Level.Special, {0, 1, 2, 3}) == EXPERT
    assert difficulty_index(Level.Special, {0, 1, 2, 3, 4}) == SPECIAL
    assert difficulty_index(Level.Hard) == 2


def test_song_select_in_free_mode_moves_the_list_picks_the_difficulty_and_confirms() -> None:
    taps = song_select_taps(cfg(mode="Free", choose="ListDown"), "choose", EXPERT)
    assert names(taps) == ["choose.list_down@normal", "choose.difficulty_expert@fixed", "choose.confirm"]
    assert xy(taps)[0] == (380, 420)  # the first version's list arrow
    assert xy(taps)[2] == (1090, 637)  # the confirm button's centre (CO, MA)
    assert taps[1].pause_s == 0.4
    stage = song_select_taps(cfg(mode="Stage", choose="ListUp"), "choose", 0)
    assert xy(stage)[0] == (160, 150)


def test_multiplayer_backs_out_of_song_select_but_not_out_of_the_room() -> None:
    multi = cfg(mode="Event", event="Compete")
    assert xy(song_select_taps(multi, "choose", EXPERT)) == [at("choose", "back")]
    # In a room the difficulty is not fixed on song select: no difficulty tap.
    assert names(song_select_taps(multi, "join_choose", EXPERT)) == ["join_choose.confirm"]
    # A solo config meeting a room's song select (config changed mid-room, a misread screen):
    # the room has no difficulty badges, so none is pressed (it raised KeyError before).
    solo = song_select_taps(cfg(mode="Free", choose="ListDown"), "join_choose", EXPERT)
    assert names(solo) == ["join_choose.list_down@normal", "join_choose.confirm"]


def test_ready_picks_the_difficulty_when_not_fixed() -> None:
    multi = cfg(mode="Collaborate")
    assert xy(ready_difficulty_taps(multi, EXPERT)) == [(600 + 85 * 3, 580)]
    assert names(ready_difficulty_taps(multi, SPECIAL)) == ["ready.difficulty_special@pick"]
    assert ready_difficulty_taps(cfg(mode="Free"), EXPERT) == []
    tour = xy(ready_difficulty_taps(cfg(mode="Event", event="Tour"), 2))
    assert tour == [(64 + 160 + 408 * k, 370) for k in range(3)]
    # Each medley song at its own difficulty; Special through Expert's button first.
    medley = xy(ready_difficulty_taps(cfg(mode="Event", event="Tour"), SPECIAL, [SPECIAL, EXPERT, 1]))
    assert medley == [(304, 370), (384, 370), (304 + 408, 370), (144 + 816, 370)]


def test_lobby_and_tour_follow_the_run_and_the_lobby_setting() -> None:
    assert xy(lobby_taps("compete", finished=False)) == [(1080, 640)]
    assert names(lobby_taps("join", finished=True)) == ["join.back"]
    t = tour_tap(cfg(mode="Event", event="Tour", lobby=True))
    assert (t.x, t.y) == (440, 450)
    t = tour_tap(cfg(mode="Event", event="Tour", lobby=False))
    assert (t.x, t.y) == (840, 450)
