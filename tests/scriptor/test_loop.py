"""The scriptor loop against a scripted device: the screens are the simulator's pictures,
the classifier reads the script's state (recognition is tested on its own), taps move the
script along. Cycles are driven one by one (no 0.8 s cadence)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.scriptor import flows
from services.scriptor.memory import Pending
from services.scriptor.timings import Clock, Timings
from services.scriptor.tools import SongGuess
from services.simulator.charts import ChartSource
from services.simulator.frames import FrameRenderer
from services.simulator.game import Game
from services.simulator.scenario import Scenario
from services.simulator.screens import ResultCounts
from shared import play_history as history
from shared.chart.library import ChartLibrary
from shared.device import DeviceError
from shared.error_bundles import list_bundles
from shared.screen_facts import CUT_IN_BUTTON, MODE_BUTTON
from shared.task_context import TaskError
from tests.scriptor.loop_helpers import CHARTS, FakePlayer, ScriptedDevice, ctx_of, make


def test_no_action_recognises_and_reports_but_never_touches(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev, is_no_action=True)
    for _ in range(3):
        s.cycle()
    assert dev.taps == [] and dev.backs == 0
    assert ctx_of(s).states[-1]["screen"] == "main_page"


def test_a_fixed_sequence_state_taps_its_buttons(tmp_path: Path) -> None:
    dev = ScriptedDevice("award_dialog")
    make(tmp_path, dev).cycle()
    assert dev.taps == [(640, 640), (640, 580), (640, 520)]


def test_ready_then_playing_then_result_lands_in_the_history(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)
    s.cycle()  # ready: song recognised, chart compiled, start
    assert dev.taps[-1] == (1132, 642) and isinstance(s.pending, Pending)
    notes = s.pending.chart.note_count
    s.cycle()  # playing: the player gets the plan and the synced start
    assert FakePlayer.played[-1] == 123.0 and s.pending.played
    dev.state = "award"
    dev.result = ResultCounts(perfect=notes, great=0, good=0, bad=0, miss=0, fast=0, slow=0)
    s.cycle()  # the result is read before the OK tap
    rows = history.read(tmp_path)
    assert len(rows) == 1 and rows[0].song_id == 1 and rows[0].counts["perfect"] == notes
    assert rows[0].device == "test"  # the row names its device (serial)
    assert rows[0].cleared and rows[0].simulated and rows[0].difficulty == "expert"
    assert dev.taps[-1] == (1080, 640) and s.pending is None


def test_is_repeat_off_ends_the_run_after_one_play(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_repeat=False, is_checking_3d=False)
    s.cycle()
    s.cycle()
    dev.state = "failed"
    s.cycle()
    assert not s.done() and history.read(tmp_path)[0].cleared is False
    assert dev.taps[-1] == (380, 450)  # the result screens are still gone through
    dev.state = "choose"
    taps = len(dev.taps)
    s.cycle()
    assert s.done() and len(dev.taps) == taps  # back at song select: ends, chooses nothing


def test_a_finished_run_leaves_the_room_before_it_ends(tmp_path: Path) -> None:
    dev = ScriptedDevice("join_choose", moves={("join_choose", 32, 32): "playmode"})
    s = make(tmp_path, dev, mode="Collaborate", is_repeat=False)
    s.finished = True
    s.cycle()
    assert dev.taps == [(32, 32)] and not s.done()
    s.cycle()
    assert s.done() and dev.taps == [(32, 32)]


def test_a_song_it_is_not_sure_of_is_not_played_and_its_frame_is_kept(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready")
    s = make(tmp_path, dev, guess=None)
    s.cycle()
    assert s.pending is None and dev.taps == [(32, 32)]  # solo: back to song select
    saved = list((tmp_path / "song_recognition" / "screenshots").glob("unsure-*.png"))
    assert len(saved) == 1
    assert any("not recognised" in m for m in ctx_of(s).warnings())


def test_unknown_screens_get_back_presses(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev)
    s.t.classify = lambda frame: ("main_page", 0.2)  # below the confidence threshold
    s.cycle()
    assert dev.backs == 1 and dev.taps == []


def test_device_errors_are_retried_then_fatal_with_an_error_bundle(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page", fail_next=2)
    s = make(tmp_path, dev)
    slept: list[float] = []
    s.clock = Clock(s.clock.now, slept.append)  # the retries' waits recorded, not waited
    s.cycle()
    s.cycle()
    s.cycle()
    assert dev.taps == [(1175, 645)]  # answered again: the main page's tap
    assert slept == [1.0, 2.0]
    dev.fail_next = 100
    with pytest.raises(TaskError, match="stopped answering"):
        for _ in range(20):
            s.cycle()
    bundles = list((tmp_path / "scriptor" / "errors").iterdir())
    assert len(bundles) == 1 and (bundles[0] / "states.json").is_file()
    assert list_bundles(tmp_path)[0].device == "test"  # the bundle names its device (serial)
    assert list(bundles[0].glob("frame-*.png"))
    log = (bundles[0] / "log.txt").read_text()
    assert "retrying in 8 s" in log and "giving up: the device stopped answering" in log
    assert slept[2:] == list(Timings().device_retries_s)  # the documented ~47 s, then no more


def test_an_input_that_fails_is_retried_not_fatal(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page", fail_taps=1)
    s = make(tmp_path, dev)
    s.clock = Clock(s.clock.now, lambda seconds: None)
    s.cycle()  # the tap fails: a warning, a pause
    assert dev.taps == [] and any("retrying in 1 s" in m for m in ctx_of(s).warnings())
    s.cycle()
    assert dev.taps == [(1175, 645)]


def test_taps_that_do_not_move_the_game_on_are_said_and_repeated(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page")  # no moves: a frozen screen
    s = make(tmp_path, dev)
    for _ in range(4):
        s.cycle()  # tap, look again, tap, look again
    assert dev.taps == [(1175, 645)] * 2
    assert sum("did not move the game on" in m for m in ctx_of(s).warnings()) == 1
    dev.state = "playmode"
    s.cycle()
    assert any("the game reacts again (main_page -> playmode)" in m for _, m in ctx_of(s).logs)


def test_solo_ready_seen_again_after_start_presses_start_again(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready")  # start does not land
    s = make(tmp_path, dev, is_checking_3d=False)
    for _ in range(3):
        s.cycle()  # prepare and start, look again, start again
    assert dev.taps == [(1132, 642), (1132, 642)] and s.pending is not None


def test_special_state_frames_are_saved_for_labelling(tmp_path: Path) -> None:
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev, special_state_list=["main_page"], is_allow_save=True)
    s.cycle()
    assert len(list((tmp_path / "ui_recognition" / "inbox").glob("main_page-*.png"))) == 1
    s = make(tmp_path / "b", dev, special_state_list=["main_page"], is_allow_save=False)
    s.cycle()
    assert not (tmp_path / "b" / "ui_recognition").exists()


def test_calibration_recommends_a_correction_from_fast_and_slow_then_stops(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_caliboration=True, is_checking_3d=False, correction_time=-45000)
    s.cycle()
    s.cycle()
    assert s.pending is not None
    notes = s.pending.chart.note_count
    dev.state = "award"
    dev.result = ResultCounts(perfect=notes - 30, great=30, good=0, bad=0, miss=0, fast=30, slow=0)
    s.cycle()
    rec = [f for f in ctx_of(s).states if "recommended_correction_time" in f]
    assert rec and rec[-1]["recommended_correction_time"] > -45000  # early touches: later
    dev.state = "choose"
    s.cycle()
    assert s.done()


def test_a_screen_just_tapped_is_looked_at_again_before_it_is_tapped_again(tmp_path: Path) -> None:
    # A frame right after a tap may predate it (a video stream lags); tapping it again
    # would press whatever the next screen has there.
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev)
    s.cycle()
    s.cycle()
    assert dev.taps == [(1175, 645)]
    s.cycle()
    assert dev.taps == [(1175, 645), (1175, 645)]  # still there a cycle later: tapped again


def test_another_app_in_front_is_not_tapped_the_game_is_started(tmp_path: Path) -> None:
    started: list[str] = []

    class Launcher(ScriptedDevice):
        front = "com.android.launcher3"

        def foreground_app(self) -> str:
            return self.front

        def start_game(self) -> None:
            started.append("start")
            self.front, self.state = "com.bilibili.star.bili", "main_page"

    dev = Launcher("main_page")  # the launcher classified as a known screen: still asked
    s = make(tmp_path, dev)
    s.t.game_package = "com.bilibili.star.bili"
    s.cycle()
    assert started == ["start"] and dev.taps == [] and dev.backs == 0
    s.cycle()
    assert dev.taps == [(1175, 645)]  # the game again: its screen's tap
    assert any("is in front, not the game" in m for m in ctx_of(s).warnings())


def test_a_song_lost_to_an_outage_is_recorded_and_never_replayed_on_the_next_song(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)

    def offline(chart: Any) -> float:
        raise DeviceError("screenrecord stream down: device offline (emulator-5554)")

    s.t.start_time = offline
    s.cycle()  # ready: prepared, started
    s.cycle()  # playing: no sync (the device is away): the song goes untouched
    assert s.pending is not None and s.pending.played
    assert any("this song goes untouched" in m for m in ctx_of(s).warnings())
    dev.state = "failed"
    s.cycle()
    row = history.read(tmp_path)[-1]
    assert not row.cleared and "start sync failed" in row.note
    # A song prepared on ready and then lost (the loop came back on song select): dropped,
    # so the next ready screen is recognised afresh instead of starting the old plan.
    dev.state, dev.moves = "ready", {}
    s.cycle()
    assert s.pending is not None and not s.pending.played
    dev.state = "choose"
    s.cycle()
    assert s.pending is None and any(
        "it was not played (a fault); not recorded" in m for m in ctx_of(s).warnings()
    )


def test_a_played_song_whose_result_never_showed_is_recorded_as_lost(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, is_checking_3d=False)
    s.cycle()  # ready: prepared, started
    s.cycle()  # playing: played
    assert s.pending is not None and s.pending.played
    dev.state = "choose"  # the game came back on song select (a restart): no result screen
    s.cycle()
    assert s.pending is None
    row = history.read(tmp_path)[-1]
    assert row.song_id == 1 and not row.cleared and "lost: its result was never shown" in row.note
    assert not row.counts  # nothing was read: no counts made up


def test_a_tour_medley_plays_its_three_songs_and_records_one_row(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "playing"})
    s = make(tmp_path, dev, mode="Event", event="Tour", level="Special", is_checking_3d=False)
    ChartLibrary(tmp_path).store(2, 4, (CHARTS / "689_4.bestdori").read_bytes())
    ChartLibrary(tmp_path).store(3, 3, (CHARTS / "316_3.bestdori").read_bytes())
    s.t.recognise_medley = lambda frame, k: SongGuess(k + 1, f"slot {k}")
    s.cycle()
    p = s.pending
    assert p is not None and [(m.song_id, m.difficulty) for m in p.parts] == [(1, 3), (2, 4), (3, 3)]
    # Each slot its song's difficulty: song 1 and 3 have no Special (Expert), song 2 has.
    assert dev.taps == [
        (304, 370),
        (304 + 408, 370),
        (384 + 408, 370),
        (304 + 816, 370),
        (1132, 642),
    ]
    FakePlayer.played.clear()
    for k in range(3):
        s.cycle()  # each song from its own playing screen
        assert p.parts_played == k + 1 and p.played == (k == 2)
        dev.state = "loading" if k < 2 else "award"
        s.cycle()
        dev.state = "playing" if k < 2 else "award"
    assert len(FakePlayer.played) == 3
    notes = sum(m.chart.note_count for m in p.parts)
    dev.result = ResultCounts(perfect=notes, great=0, good=0, bad=0, miss=0, fast=0, slow=0)
    s.cycle()
    rows = history.read(tmp_path)
    assert len(rows) == 1 and rows[0].counts["perfect"] == notes and rows[0].mode == "Event/Tour"
    played = [(m.song_id, m.difficulty) for m in rows[0].medley]
    assert played == [(1, "expert"), (2, "special"), (3, "expert")]


def test_frames_right_after_taps_are_screenshots(tmp_path: Path) -> None:
    # A video stream's frames lag a screen change: after a tap the loop looks with a
    # frame taken after the tap (Tools.fresh_frame).
    dev = ScriptedDevice("main_page")
    s = make(tmp_path, dev)
    fresh: list[str] = []

    def screenshot() -> Any:
        fresh.append(dev.state)
        return dev.screencap()

    now = [100.0]
    s.t.fresh_frame = screenshot
    s.clock = Clock(lambda: now[0], s.clock.sleep)
    s.cycle()
    assert fresh == [] and dev.taps == [(1175, 645)]
    s.cycle()
    assert fresh == ["main_page"]
    now[0] += 5.0  # long after the tap: the usual capture again
    s.cycle()
    assert fresh == ["main_page"] and len(dev.taps) == 2


class SimulatedDevice(ScriptedDevice):
    """The simulated game itself (its logic and drawing, a fake clock) behind the device,
    on its ready screen as the game opens it: 3D on, cut-in ticked."""

    def __init__(self) -> None:
        super().__init__("ready")
        sc = Scenario.model_validate(
            {"delays": {"loading": 0.5, "app_start": 0.5}, "max_song_s": 4.0, "songs": [1]}
        )  # song 1: what the test recogniser says
        self.now = 100.0
        self.game = Game(sc, ChartSource(None, sc.max_song_s).load, self.now)
        self.draw = FrameRenderer(sc)
        self.wait(0.6)  # the app starts
        for x, y in ((1120, 640), (800, 480)):  # main page -> free live -> (loading)
            self.tap(x, y)
        self.wait(0.6)  # -> song select
        self.tap(1080, 620)  # -> ready
        self.taps.clear()

    def wait(self, s: float) -> None:
        self.now += s
        self.game.tick(self.now)
        self.game.view(self.now)

    def screencap(self) -> Any:
        view = self.game.view(self.now)
        self.state = str(view.state)
        return self.draw(view)

    def tap(self, x: int, y: int) -> None:
        self.now += 0.05
        self.taps.append((x, y))
        self.game.tap(self.now, x, y)
        self.game.view(self.now)


def test_the_ready_flow_cycles_the_live_mode_to_off_and_unticks_cut_in(tmp_path: Path) -> None:
    dev = SimulatedDevice()
    assert dev.game.view(dev.now).state == "ready" and (dev.game.live_mode, dev.game.cut_in) == ("3d", True)
    s = make(tmp_path, dev)
    for _ in range(8):  # each tap is followed by a look again (a frame may predate it)
        if s.pending is not None:
            break
        s.cycle()
    # 3D -> MV -> OFF, then the cut-in that OFF shows; then the song is prepared and started.
    assert dev.taps[:3] == [MODE_BUTTON, MODE_BUTTON, CUT_IN_BUTTON]
    assert (dev.game.live_mode, dev.game.cut_in) == ("off", False)
    assert dev.taps[-1] == (flows.START.x, flows.START.y) and s.pending is not None
    assert not ctx_of(s).warnings()


def test_a_live_mode_tap_the_screen_does_not_show_yet_is_not_repeated_at_once(tmp_path: Path) -> None:
    """A slow screen: the label still reads 3D after the tap. The tap is repeated only after
    CONTROL_WAIT more frames, so a late screen is not cycled past OFF."""
    dev = ScriptedDevice("ready", live_mode="3d")
    s = make(tmp_path, dev)
    for _ in range(8):
        s.cycle()
    assert dev.taps == [MODE_BUTTON, MODE_BUTTON] and s.pending is None


def test_the_run_keeps_its_cadence_on_the_injected_clock_and_ends_at_rest(tmp_path: Path) -> None:
    dev = ScriptedDevice("award", moves={("award", 1080, 640): "choose"})
    s = make(tmp_path, dev)
    s.finished = True  # the run's work is done: it ends back on song select
    now, slept = [10.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    s.clock, s.timings = Clock(lambda: now[0], sleep), Timings(cycle_s=0.5)
    s.run()
    assert dev.taps == [(1080, 640)] and s.done()
    assert slept == [0.5, 0.5]  # one cycle on award, one on song select; no real waits


def test_a_room_song_without_a_chart_is_said_once_started_sat_out_and_recorded_as_skipped(
    tmp_path: Path,
) -> None:
    # Song 2 is recognised but the data dir has only song 1's chart.
    dev = ScriptedDevice("ready", moves={("ready", 1132, 642): "ready"})
    s = make(tmp_path, dev, guess=2, mode="Event", event="Compete", is_checking_3d=False)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        if dev.state == "playing" and now[0] > 20.0:
            dev.state = "award_loading"  # the song ends (the room played it without us)

    s.clock = Clock(lambda: now[0], sleep)
    for _ in range(4):  # start pressed once; then the room waits for the others
        s.cycle()
    warned = [m for m in ctx_of(s).warnings() if "song 2" in m]
    assert len(warned) == 1 and "ready pressed, the song is left to the others (no touches)" in warned[0]
    assert dev.taps == [(1132, 642)] and s.pending is None
    dev.state = "playing"
    s.cycle()  # sat out without touches until the screen leaves the song
    assert dev.state == "award_loading" and dev.taps == [(1132, 642)]
    dev.state = "award"
    s.cycle()
    rows = history.read(tmp_path)
    assert len(rows) == 1 and rows[0].skipped and not rows[0].cleared and not rows[0].all_perfect
    assert rows[0].song_id == 2 and rows[0].counts == {} and rows[0].mode == "Event/Compete"
    assert "chart" in rows[0].note and rows[0].note.startswith("skipped: ")
    s.cycle()
    dev.state = "award"
    s.cycle()
    assert len(history.read(tmp_path)) == 1  # recorded once
