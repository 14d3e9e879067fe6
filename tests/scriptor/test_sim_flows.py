"""Every mode/event flow through the real stack against the simulated game: gateway,
worker, ADB protocol, UI classifier, song recogniser, play engine, result reader,
history. Each test starts a simulator with its flow's scenario on the port the stack's
device points at (``services.testing.simgame``), runs the scriptor once (``is_repeat`` off) and
checks the whole cycle: the right song recognised and played, what the scriptor read off
the result screen equal to what the simulator judged, the history row, and the game left
back at song select (or out of the room)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.testing.simgame import Simulator, add_catalog_songs, prepare_data, task_log
from services.testing.stack import start, start_stack, wait_state
from tests.conftest import free_port
from tests.scriptor.sim_runs import EXTRA, TWIN, Game, assert_played

pytestmark = pytest.mark.stack

CUT_S = 4.0  # the first seconds of each chart
SPECIAL_SONG = 689  # a song with a Special chart (level 41)
CHARTS = ((316, 3), (TWIN, 3), (SPECIAL_SONG, 4))
NO_CHART_SONG = 570  # in the catalog and the title gallery, its Expert chart not in the data dir
TWIN_ENTRY = {TWIN: ("オレンジ", {0: 8, 1: 14, 2: 20, 3: 26})}


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Game]:
    data = tmp_path_factory.mktemp("scriptor-flows") / "data"
    add_catalog_songs(data, TWIN_ENTRY)  # as fetch would, with the twin the shipped list lacks
    prepare_data(data, CHARTS, CUT_S, titles_only=[NO_CHART_SONG])
    port = free_port()
    env = {"AUTOBANG_DEVICE": f"adb://127.0.0.1:{port}", "AUTOBANG_DEVICE_SIMULATED": "1"}
    stack = start_stack(data, free_port(), env=env, test_bodies=False)
    yield Game(stack, port)
    stack.stop()


# (scenario mode, scenario event, config, history mode, where the run leaves the game)
SOLO_AND_ROOMS = {
    "stage": ("Stage", "Challenge", {"mode": "Stage"}, "Stage", "choose"),
    "challenge": ("Event", "Challenge", {"mode": "Event", "event": "Challenge"}, "Event/Challenge", "choose"),
    "compete": ("Event", "Compete", {"mode": "Event", "event": "Compete"}, "Event/Compete", "playmode"),
    "team": ("Event", "Team", {"mode": "Event", "event": "Team"}, "Event/Team", "playmode"),
    "collaborate": ("Collaborate", "Challenge", {"mode": "Collaborate"}, "Collaborate", "playmode"),
    "mission": ("Event", "Mission", {"mode": "Event", "event": "Mission"}, "Event/Mission", "playmode"),
    "trial": ("Event", "Trial", {"mode": "Event", "event": "Trial"}, "Event/Trial", "playmode"),
}


@pytest.mark.parametrize("flow", list(SOLO_AND_ROOMS))
def test_each_flow_plays_one_song_and_comes_back(game: Game, flow: str) -> None:
    mode, event, config, shown, rest = SOLO_AND_ROOMS[flow]
    run = game.run({"mode": mode, "event": event, "songs": [316]}, config)
    assert len(run.rows) == 1, run.rows
    assert_played(run, 316, "expert", shown)
    assert run.report["state"] == rest, run.report["state"]
    assert run.state["fields"]["screen"] == rest, run.state


def test_a_room_song_without_a_chart_is_left_to_the_others_and_the_next_one_played(game: Game) -> None:
    """The default flow (Event / Compete): the room picks 570, recognised but without its
    Expert chart, then 316. 570 is said once, ready is pressed so the room goes on, the song
    runs without our touches and is recorded as skipped with its reason; 316 is played."""
    scenario = {"mode": "Event", "event": "Compete", "songs": [NO_CHART_SONG, 316], "max_song_s": CUT_S}
    run = game.run(scenario, {"mode": "Event", "event": "Compete"})
    assert len(run.rows) == 2, run.rows
    skipped = run.rows[0]
    assert (skipped["song_id"], skipped["mode"]) == (NO_CHART_SONG, "Event/Compete"), skipped
    assert skipped["skipped"] and not skipped["cleared"] and not skipped["wrong_song"], skipped
    assert skipped["counts"] == {} and "Expert chart is not in the data dir" in skipped["note"], skipped
    said = [line for line in run.log if "the song is left to the others" in line]
    assert len(said) == 1 and f"song {NO_CHART_SONG}" in said[0], run
    untouched = run.report["plays"][0]
    assert untouched["song"] == NO_CHART_SONG and untouched["touches"] == 0, untouched
    assert_played(run, 316, "expert", "Event/Compete", play=1, row=1)
    assert run.report["state"] == "playmode", run.report["state"]


def test_twins_are_told_apart_by_their_level(game: Game) -> None:
    """316 and 676 share a title picture; the level row decides. Free: the first run plays
    the song under the cursor (316), the second moves down the list (ListDown) to 676."""
    scenario = {"mode": "Free", "songs": [316, TWIN], "extra_songs": EXTRA}
    sim = Simulator(scenario, game.port, game.stack.data_dir)
    try:
        first = game.again(sim, {"mode": "Free"})
        second = game.again(sim, {"mode": "Free", "choose": "ListDown"})
    finally:
        sim.stop()
    assert_played(first, 316, "expert", "Free", play=0)
    assert_played(second, TWIN, "expert", "Free", play=1)
    assert second.rows[0]["level"] == 26 and first.rows[0]["level"] == 25
    assert [o["song"] for o in second.report["offered"]] == [316, TWIN]


def test_story_reads_every_unread_story_then_ends(game: Game) -> None:
    run = game.run({"mode": "Story"}, {"mode": "Story"})
    assert run.rows == [] and run.report["plays"] == []  # stories have no live
    assert run.report["stories_unread"] == 0, run.report
    assert run.report["state"] == "story_choose" and not run.report["faults"]
    assert any("every story is read" in line for line in run.log), run


def test_another_app_in_front_gets_no_input_the_game_is_started(game: Game) -> None:
    """The launcher is in front when the run starts, and again when the game crashes on
    the score screen: each time the scriptor starts the game (am start / monkey) and sends
    the launcher nothing, then plays on."""
    crash = {"kind": "crash", "on_state": "award_score"}
    run = game.run(
        {"mode": "Free", "songs": [316], "game_running": False, "faults": [crash]}, {"mode": "Free"}
    )
    assert run.report["foreign_input"] == 0, run
    assert run.report["faults"][0]["left"] is not None, run.report["faults"]  # back on main_page
    assert sum("is in front, not the game" in line for line in run.log) == 2, run
    assert_played(run, 316, "expert", "Free")
    assert run.report["state"] == "main_page"  # where the restarted game opens: the run ends there


def test_tour_medley_plays_its_three_songs_in_one_go(game: Game) -> None:
    """Tour (through the lobby): the ready screen shows the medley's three songs; each is
    recognised (the twins by their level rows), set to its difficulty (Special where the
    song has one, else Expert) and played on its own playfield; the one result screen
    counts the medley, and so does the one history row."""
    medley = [SPECIAL_SONG, 316, TWIN]
    config = {"mode": "Event", "event": "Tour", "lobby": True, "level": "Special"}
    run = game.run({"mode": "Event", "event": "Tour", "songs": medley}, config)
    plays = run.report["plays"]
    assert [(p["song"], p["difficulty"]) for p in plays] == [(SPECIAL_SONG, 4), (316, 3), (TWIN, 3)], run
    assert all(p["touches"] > 0 and p["counts"]["miss"] <= 0.1 * p["notes"] for p in plays), plays
    assert len(run.rows) == 1, run.rows
    row = run.rows[0]
    assert (row["song_id"], row["difficulty"], row["mode"]) == (SPECIAL_SONG, "special", "Event/Tour"), row
    assert [(m["song_id"], m["difficulty"]) for m in row["medley"]] == [
        (SPECIAL_SONG, "special"),
        (316, "expert"),
        (TWIN, "expert"),
    ], row
    for k in ("perfect", "great", "good", "bad", "miss", "fast", "slow"):
        assert (row["counts"].get(k) if k not in ("fast", "slow") else row[k]) == sum(
            p["counts"][k] for p in plays
        ), (row, plays)
    assert run.report["offered"][0]["medley"] == medley
    assert run.report["state"] == "tour_choose"


def test_defaults_on_a_game_running_no_compete_event_stop_saying_so(game: Game) -> None:
    """Every setting at its default (Event / Compete) on a game whose play-mode screen has
    no event tile (mode Free): the taps where the tile would be are never answered, and
    after three rounds (BACK between them) the run fails with one sentence naming the cause
    and the fix, instead of pressing BACK forever."""
    sim = Simulator({"mode": "Free", "songs": [316], "extra_songs": EXTRA}, game.port, game.stack.data_dir)
    url = game.stack.url
    try:
        start(url, "scriptor", "start_scriptor", {})
        done = wait_state(url, "scriptor", lambda s: s["status"] in ("finished", "failed"), 300)
        report = sim.report()
    finally:
        sim.stop()
    log = task_log(game.stack.redis_url, last=40)
    said = (
        "the play-mode screen shows no Compete event (the game runs none now): "
        "set mode/event to what the game offers, e.g. Free"
    )
    assert done["status"] == "failed", (done, log)
    assert any(said in line for line in log), log
    assert report["plays"] == [] and report["state"] in ("playmode", "main_page"), report["state"]
