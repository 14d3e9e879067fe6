"""The simulated game's flows as pure logic with a fake clock: every mode and event of
domain.md section 3, taps outside buttons, BACK, the play and its judgement, faults."""

from __future__ import annotations

import pytest

from services.simulator.game import LAUNCHER, UNKNOWN, Game
from services.simulator.scenario import Fault
from services.simulator.touch_server import Commit, TouchEvent
from shared.config.scriptor import Event, Mode
from tests.simulator.player import perfect_touches
from tests.simulator.pure_game import Clock, make


def state(g: Game, c: Clock, dt: float = 0.0) -> str:
    return g.view(c(dt)).state


def tap(g: Game, c: Clock, x: float, y: float) -> str:
    g.tap(c(0.05), x, y)
    return state(g, c)


def play_perfectly(g: Game, c: Clock, *, late_ms: float = 0.0) -> None:
    """Touch every note of the running play on time (+ ``late_ms``), then wait for the end."""
    assert g.play is not None
    play = g.play
    for t, kind, contact, x, y in perfect_touches(play.chart):
        g.commit(Commit(play.t0 + t + late_ms / 1000, (TouchEvent(kind, contact, x, y),)))  # type: ignore[arg-type]
    c.t = play.end + 0.01
    g.tick(c.t)


def to_play(g: Game, c: Clock) -> None:
    """From the ready screen: the live mode cycled 3D -> MV -> OFF, cut-in off, start,
    through loading into the play."""
    assert state(g, c) == "ready"
    assert (g.live_mode, g.cut_in) == ("3d", True)
    tap(g, c, 500, 650)  # the cut-in is behind the avatars while 3D is on: nothing
    assert g.cut_in
    tap(g, c, 141, 649)
    assert g.live_mode == "mv"
    tap(g, c, 141, 649)
    tap(g, c, 500, 650)
    assert (g.live_mode, g.cut_in) == ("off", False)
    tap(g, c, 1120, 600)
    for _ in range(10):
        if state(g, c, 0.3) == "playing":
            return
    raise AssertionError(f"no play, stuck on {state(g, c)}")


def through_result(g: Game, c: Clock) -> None:
    assert state(g, c) == "award_loading"
    assert tap(g, c, 30, 360) == "award"
    counts = g.view(c()).counts
    assert counts is not None and counts["miss"] == 0
    assert tap(g, c, 1080, 640) == "award_score"
    tap(g, c, 1080, 640)


def test_free_live_plays_all_perfect_and_comes_back_to_song_select() -> None:
    g, c = make()
    assert state(g, c) == "main_page"
    assert tap(g, c, 20, 700) == "main_page"  # nothing there
    assert g.ignored_taps == 1
    assert tap(g, c, 1120, 640) == "playmode"
    tap(g, c, 800, 480)
    assert state(g, c) == "loading"
    assert state(g, c, 0.6) == "choose"
    assert g.view(c()).variants == {"normal", "free", "fixed"}
    assert g.song == 316
    tap(g, c, 380, 420)  # list down
    assert g.song == 676
    tap(g, c, 380, 270)  # list up
    tap(g, c, 830, 540)  # Normal: the nearest button, not the overlapping random
    assert g.difficulty == 1 and g.song == 316
    tap(g, c, 1060, 540)
    assert g.difficulty == 3
    assert tap(g, c, 1080, 620) == "ready"
    assert g.offered[-1]["song"] == 316
    to_play(g, c)
    play_perfectly(g, c)
    assert g.plays[-1].result is not None and g.plays[-1].result.all_perfect
    through_result(g, c)
    assert state(g, c) == "choose"


def test_late_touches_are_judged_great() -> None:
    g, c = make()
    tap(g, c, 1120, 640)
    tap(g, c, 800, 480)
    state(g, c, 0.6)
    tap(g, c, 1080, 620)
    to_play(g, c)
    play_perfectly(g, c, late_ms=32)
    res = g.plays[-1].result
    assert res is not None
    assert res.counts()["great"] == res.counts()["slow"] > 0 and res.counts()["perfect"] == 0


def test_the_hidden_input_latency_is_added_to_every_touch() -> None:
    # Touches sent 40 ms early land on time on a device with 40 ms of input latency.
    g, c = make(input_latency_ms=40.0)
    tap(g, c, 1120, 640)
    tap(g, c, 800, 480)
    state(g, c, 0.6)
    tap(g, c, 1080, 620)
    to_play(g, c)
    play_perfectly(g, c, late_ms=-40)
    res = g.plays[-1].result
    assert res is not None
    assert res.all_perfect, res.counts()


def test_back_key_and_back_arrow() -> None:
    g, c = make()
    tap(g, c, 1120, 640)
    g.back(c(0.1))
    assert state(g, c) == "main_page"
    g.back(c(0.1))  # main page has no back: nothing happens
    assert state(g, c) == "main_page"
    tap(g, c, 1120, 640)
    assert tap(g, c, 32, 32) == "main_page"


def test_stage_flow() -> None:
    g, c = make(Mode.Stage)
    tap(g, c, 1120, 640)
    assert tap(g, c, 920, 600) == "stage"
    assert tap(g, c, 1080, 640) == "stage_choose"
    assert tap(g, c, 1080, 640) == "choose"
    assert g.view(c()).variants == {"stage", "fixed"}
    tap(g, c, 160, 310)  # Stage's list down
    assert g.song == 676
    tap(g, c, 1080, 620)
    assert "stage" in g.view(c()).variants
    to_play(g, c)
    play_perfectly(g, c)
    through_result(g, c)
    assert state(g, c) == "choose"


@pytest.mark.parametrize("event", [Event.Compete, Event.Team])
def test_compete_and_team_rooms(event: Event) -> None:
    g, c = make(Mode.Event, event)
    tap(g, c, 1120, 640)
    assert g.view(c()).variants == {"event_right"}
    assert tap(g, c, 1080, 240) == "compete"
    assert tap(g, c, 1080, 640) == "join_loading"
    assert state(g, c, 0.6) == "join_wait"
    assert state(g, c, 1.1) == "ready"
    assert g.view(c()).variants == {"pick"} and g.view(c()).title_layout == "ready"
    tap(g, c, 940, 580)  # Special (the co-op badge right of Expert)
    assert g.difficulty == 4
    tap(g, c, 855, 580)  # Expert (600 + 85*3)
    assert g.difficulty == 3
    tap(g, c, 140, 652)
    tap(g, c, 500, 650)
    assert tap(g, c, 1120, 600) == "ready_done"
    assert state(g, c, 0.6) == "loading"
    assert state(g, c, 0.6) == "playing"
    play_perfectly(g, c)
    through_result(g, c)
    assert state(g, c) == "award_back"
    assert tap(g, c, 760, 440) == "compete"
    assert g.song == 676  # the room moved on


@pytest.mark.parametrize(
    ("mode", "event"),
    [(Mode.Collaborate, Event.Challenge), (Mode.Event, Event.Mission), (Mode.Event, Event.Trial)],
)
def test_rooms_with_song_choice(mode: Mode, event: Event) -> None:
    g, c = make(mode, event)
    tap(g, c, 1120, 640)
    assert tap(g, c, 1080, 480) == "join"
    tap(g, c, 1080, 640)
    assert state(g, c, 1.7) == "join_choose"
    assert "fixed" not in g.view(c()).variants
    assert tap(g, c, 1080, 620) == "ready"
    to_play(g, c)
    play_perfectly(g, c)
    through_result(g, c)
    assert state(g, c) == "award_again"
    tap(g, c, 800, 640)
    assert state(g, c) == "join_wait" and state(g, c, 1.1) == "join_choose"


def test_challenge_song_select_with_fixed_difficulty() -> None:
    g, c = make(Mode.Event, Event.Challenge)
    tap(g, c, 1120, 640)
    assert g.view(c()).variants == {"event_left"}
    tap(g, c, 800, 240)
    assert state(g, c, 0.6) == "choose" and "fixed" in g.view(c()).variants
    tap(g, c, 780, 540)  # random
    tap(g, c, 1080, 620)
    to_play(g, c)


@pytest.mark.parametrize("lobby", [True, False])
def test_tour_medley(lobby: bool) -> None:
    g, c = make(Mode.Event, Event.Tour)
    tap(g, c, 1120, 640)
    assert tap(g, c, 800, 240) == "tour"
    if lobby:
        assert tap(g, c, 440, 450) == "join_loading"
        assert state(g, c, 1.6) == "tour_choose"
    else:
        assert tap(g, c, 840, 450) == "tour_choose"
    assert tap(g, c, 1080, 640) == "ready"
    assert g.view(c()).variants == {"medley"}
    tap(g, c, 64 + 80 * 2 + 408 * 0, 370)  # first medley song: Hard
    tap(g, c, 304 + 408 * 1, 370)  # second: Expert, then Special right of it
    assert g.medley[1] == 3
    tap(g, c, 384 + 408 * 1, 370)
    assert g.medley[:2] == [2, 4] and g.difficulty == 2
    view = g.view(c())
    # The medley set: the song under the cursor and the two after it, each with its own
    # difficulty; the 2nd and 3rd are shown on the ready screen too.
    assert view.song == g.sc.songs[0] and view.medley == ((g.sc.songs[1], 4), (g.sc.songs[2], 3))
    to_play(g, c)
    for k in range(3):  # one song after the other, each judged on its own
        assert g.play is not None and g.play.medley == k and g.play.song == g.sc.songs[k]
        play_perfectly(g, c)
        if k < 2:
            assert state(g, c) == "loading" and state(g, c, 0.5) == "playing"
    assert [(p.song, p.medley) for p in g.plays] == [(s, k) for k, s in enumerate(g.sc.songs[:3])]
    assert state(g, c) == "award_loading"
    assert tap(g, c, 30, 360) == "award"
    counts = g.view(c()).counts  # one result screen for the whole medley
    assert counts is not None and counts["perfect"] == sum(p.chart.note_count for p in g.plays)
    tap(g, c, 1080, 640)
    tap(g, c, 1080, 640)
    assert state(g, c) == "tour_choose"


def test_story() -> None:
    g, c = make(Mode.Story)
    assert tap(g, c, 1120, 640) == "story_choose"
    assert g.view(c()).unread_story
    assert tap(g, c, 1080, 640) == "story"
    assert tap(g, c, 580, 60) == "story"  # skip needs the menu first
    tap(g, c, 1200, 60)
    assert tap(g, c, 580, 60) == "story_skip"
    assert tap(g, c, 770, 450) == "story_dialog"
    assert tap(g, c, 640, 580) == "story_choose"
    assert g.story_unread == 2


def test_game_starts_from_the_launcher() -> None:
    g, c = make(game_running=False)
    assert state(g, c) == LAUNCHER and "launcher" in g.foreground
    assert tap(g, c, 1120, 640) == LAUNCHER
    g.start_app(c())
    assert state(g, c) == "loading" and state(g, c, 0.6) == "main_page"
    g.force_stop(c())
    assert state(g, c) == LAUNCHER


def test_popup_fault_must_be_dismissed() -> None:
    g, c = make(faults=[Fault(kind="popup", on_state="playmode", state="opps")])
    assert tap(g, c, 1120, 640) == "opps"
    assert tap(g, c, 800, 480) == "opps"  # eaten by the dialog
    row = next(iter(g.view(c()).variants))
    y = (420, 430, 440, 470, 480, 500)[int(row[3:])]
    assert tap(g, c, 640, y) == "playmode"
    assert g.faults[0].kind == "popup" and g.faults[0].left is not None


def test_frozen_unknown_crash_disconnect_and_slow_faults() -> None:
    faults = [
        Fault(kind="frozen", on_state="playmode", duration_s=2),
        Fault(kind="unknown", at_s=5, duration_s=10),
        Fault(kind="crash", at_s=8),
        Fault(kind="adb_disconnect", at_s=9, duration_s=2),
        Fault(kind="slow", at_s=9, duration_s=5, latency_ms=300),
    ]
    g, c = make(faults=faults)
    assert tap(g, c, 1120, 640) == "playmode"
    assert tap(g, c, 800, 480) == "playmode"  # frozen: taps do nothing
    assert state(g, c, 2.1) == "playmode" and g.faults[0].left is not None
    c.t = g.start_time + 5.1
    assert state(g, c) == UNKNOWN
    g.back(c(0.1))  # BACK leaves the unknown screen
    assert state(g, c) == "playmode" and g.faults[1].left is not None
    c.t = g.start_time + 8.1
    assert state(g, c) == LAUNCHER
    c.t = g.start_time + 9.1
    g.tick(c.t)
    assert not g.online(c.t) and g.capture_latency(c.t) == pytest.approx(0.3)
    g.start_app(c())
    assert state(g, c, 2.0) == "main_page" and g.faults[2].left is not None
    assert g.online(c()) and g.faults[3].left is not None
    c.t += 5
    g.tick(c.t)
    assert g.capture_latency(c.t) == 0 and g.faults[4].left is not None


def test_failed_fault_ends_the_song_on_the_failed_screen() -> None:
    g, c = make(faults=[Fault(kind="failed", on_state="playing", duration_s=1.0)])
    tap(g, c, 1120, 640)
    tap(g, c, 800, 480)
    state(g, c, 0.6)
    tap(g, c, 1080, 620)
    to_play(g, c)
    assert g.play is not None
    t0 = g.play.t0
    assert state(g, c) == "playing" and g.view(c()).life == 1.0  # full until the song starts
    c.t = t0 + 0.5
    assert abs(g.play.life(c()) - 0.5) < 1e-6  # the life bar drains toward the failing moment
    assert g.view(c()).life <= 0.5 + 1e-6
    c.t = t0 + 0.9
    assert state(g, c) == "playing"  # health not out yet
    c.t = t0 + 1.05
    assert state(g, c) == "failed"  # mid-song (the cut lasts 4 s)
    play = g.plays[-1]
    assert play.failed and play.result is not None and play.result.counts()["miss"] > 0
    assert g.faults[0].kind == "failed" and g.faults[0].left is not None
    assert tap(g, c, 380, 450) == "failed_again"
    assert tap(g, c, 780, 450) == "award_loading"
    assert state(g, c, 0.6) == "award" and g.plays[-1].shown  # its result screen came


def test_the_life_bar_loses_life_to_misses_and_stays_full_in_a_perfect_play() -> None:
    for perfect in (True, False):
        g, c = make()
        tap(g, c, 1175, 645)
        tap(g, c, 800, 480)
        state(g, c, 0.6)
        tap(g, c, 1090, 637)
        to_play(g, c)
        play = g.play
        assert play is not None
        if perfect:
            for t, kind, contact, x, y in perfect_touches(play.chart):
                g.commit(Commit(play.t0 + t, (TouchEvent(kind, contact, x, y),)))  # type: ignore[arg-type]
        lives = []
        for k in range(1, 8):
            c.t = play.t0 + (play.end - play.t0) * k / 8
            lives.append(g.view(c()).life)
        if perfect:
            assert lives == [1.0] * 7
        else:  # every note missed: the bar only goes down
            assert lives == sorted(lives, reverse=True) and lives[-1] < lives[0] <= 1.0
