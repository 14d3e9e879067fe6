"""The loop and the per-device offsets: a play uses the offset read on its ready screen, a
change during the song waits for the next one, the history says what each play used, and
the result moves the device's offset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.scriptor.flows import START
from services.scriptor.loop import Scriptor
from services.scriptor.memory import Pending
from services.scriptor.result import ResultReading
from shared import device_offsets as offsets
from shared import play_history as history
from shared.device import DeviceInfo
from tests.scriptor.loop_helpers import ScriptedDevice, ctx_of, make

SIM_INFO = DeviceInfo("adb://127.0.0.1:5037", "emulator-5554", True, "raw", "bangcheater", touch_latency_us=0)
KEY = "sim:emulator-5554"


class ReadVotes:
    """The result screen's reading (the reader is tested on its own: tests/scriptor/test_result.py)."""

    def __init__(self, reading: ResultReading) -> None:
        self.reading, self.frames, self.note_count = reading, 0, None

    def add(self, frame: Any) -> ResultReading:
        self.frames += 1
        return self.reading


def play_one(s: Scriptor, dev: ScriptedDevice, counts: dict[str, int], fast: int, slow: int) -> Pending:
    """ready -> playing -> award with these counts; returns the play as prepared."""
    dev.state = "ready"
    s.tapped_on = None
    s.cycle()
    p = s.pending
    assert isinstance(p, Pending)
    s.cycle()  # playing
    assert p.played
    p.votes = ReadVotes(ResultReading(counts, fast, slow))  # type: ignore[assignment]
    dev.state = "award"
    s.cycle()
    assert s.pending is None
    return p


def good_fast(notes: int) -> tuple[dict[str, int], int, int]:
    """Every note ~43 ms early (issue 19: -45 ms applied to a device that needs 0)."""
    great, good = notes // 5, notes - notes // 5
    return {"perfect": 0, "great": great, "good": good, "bad": 0, "miss": 0}, notes, 0


def test_a_simulated_device_starts_from_its_own_latency_not_correction_time(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False, correction_time=-45_000)
    s.cycle()
    assert isinstance(s.pending, Pending)
    assert s.pending.offset_us == 0 and s.pending.plan.correction_time == 0
    assert any(st.get("offset_device") == KEY and st.get("offset_ms") == 0 for st in ctx_of(s).states)


def test_an_emulator_starts_from_correction_time(tmp_path: Path) -> None:
    mumu = DeviceInfo("adb", "127.0.0.1:7555", False, "raw", "bangcheater")
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=mumu)
    s = make(tmp_path, dev, is_checking_3d=False, correction_time=-45_000)
    s.cycle()
    assert isinstance(s.pending, Pending) and s.pending.plan.correction_time == -45_000


def test_early_touches_move_the_offset_later_from_the_next_song(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False, is_repeat=True, correction_time=-45_000)
    offsets.OffsetStore(tmp_path).pin(KEY, -45_000, pinned=False)  # the bad start of issue 19
    first = play_one(s, dev, *good_fast(500))
    assert first.offset_us == -45_000
    second = play_one(s, dev, {"perfect": 500, "great": 0, "good": 0, "bad": 0, "miss": 0}, 0, 0)
    assert 30_000 <= second.offset_us - first.offset_us <= 45_000  # in one play, not a 2 ms step
    assert second.plan.correction_time == second.offset_us
    rows = history.read(tmp_path)
    assert [r.correction_time_us for r in rows] == [-45_000, second.offset_us]
    moves = offsets.OffsetStore(tmp_path).get(KEY)
    assert (
        moves is not None and moves.moves[-2].why == "learned" and moves.moves[-2].mean_error_ms is not None
    )
    assert moves.moves[-2].mean_error_ms < -35


def test_an_offset_changed_mid_song_takes_effect_at_the_next_song(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False, is_repeat=True)
    store = offsets.OffsetStore(tmp_path)
    sent: list[int] = []

    class UserDuringTheSong:
        """The sender; while it plays, the user sets the device's offset (API) and the
        config's correction_time."""

        def open(self, timeout_s: float = 60.0) -> None: ...

        def close(self) -> None: ...

        def play(self, plan: Any, t0: float, stop_event: Any = None) -> str:
            sent.append(plan.correction_time)
            if len(sent) == 1:
                store.pin(KEY, -30_000, pinned=False)
                ctx_of(s)._config = ctx_of(s).config.model_copy(update={"correction_time": -45_000})
            return "sent"

    s.t.player = UserDuringTheSong
    s._player = None
    first = play_one(s, dev, *good_fast(500))  # the result says "early": not learned over the user
    second = play_one(s, dev, {"perfect": 500, "great": 0, "good": 0, "bad": 0, "miss": 0}, 0, 0)
    assert sent == [0, -30_000]  # the song kept its offset; the change played next
    assert first.offset_us == 0 and second.offset_us == -30_000
    assert [r.correction_time_us for r in history.read(tmp_path)] == [0, -30_000]
    dev_offset = store.get(KEY)
    assert dev_offset is not None and "set during the song" in dev_offset.moves[-2].why


def test_an_untouched_song_teaches_nothing(tmp_path: Path) -> None:
    from services.scriptor.play.startsync import StartSyncError

    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False, is_repeat=True)

    def no_start(chart: Any) -> float:
        raise StartSyncError("no falling note seen")

    s.t.start_time = no_start
    p = play_one(s, dev, {"perfect": 0, "great": 0, "good": 0, "bad": 0, "miss": 500}, 0, 0)
    d = offsets.OffsetStore(tmp_path).get(KEY)
    assert p.untouched and d is not None and d.offset_us == 0 and d.moves[-1].why.startswith("not learned")


def test_pin_offset_in_the_config_uses_correction_time_everywhere(tmp_path: Path) -> None:
    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False, is_repeat=True, pin_offset=True, correction_time=-12_000)
    a = play_one(s, dev, *good_fast(500))
    b = play_one(s, dev, *good_fast(500))
    assert a.offset_us == b.offset_us == -12_000


def test_the_panel_keeps_counting_while_a_song_plays(tmp_path: Path) -> None:
    import time

    dev = ScriptedDevice("ready", moves={("ready", START.x, START.y): "playing"}, info=SIM_INFO)
    s = make(tmp_path, dev, is_checking_3d=False)

    class SlowSong:
        def open(self, timeout_s: float = 60.0) -> None: ...

        def close(self) -> None: ...

        def play(self, plan: Any, t0: float, stop_event: Any = None) -> str:
            time.sleep(2.5)
            return "sent"

    s.t.player = SlowSong
    s.cycle()
    before = len(ctx_of(s).states)
    s.cycle()  # the whole song in one cycle
    during = [st["time_in_state_s"] for st in ctx_of(s).states[before:] if "time_in_state_s" in st]
    assert len(during) >= 2 and during == sorted(during) and during[-1] >= 1.0, during
