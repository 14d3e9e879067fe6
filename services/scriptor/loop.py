"""The scriptor's executor: frame -> screen state (with a confidence) -> decision -> effects.

Each cycle grabs a frame, classifies it (below the confidence threshold the screen is
``unknown``), publishes what it sees and asks the decider (``decide.decide``: pure, with
the rules of every state) what to do; then it runs the intents: taps, BACK, restarts, a
play prepared on the ready screen (song recognised, chart compiled), the song played with
the play engine, the result read into the history, an error bundle when it gives up.

Everything it touches comes in through ``Tools`` (the device, recognisers, the play
engine), its waits through ``Timings`` and a ``Clock``, so it runs against the real
device, the simulator or scripted fakes alike."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import assert_never

import cv2

from services.recognition.screen.ready import read_ready
from services.recognition.screen.ready_song import read_ready_song
from services.scriptor import flows, freeze, verify
from services.scriptor.actions import Tap
from services.scriptor.decide import Observation, decide, skip, start_taps
from services.scriptor.intents import (
    EndRun,
    GiveUp,
    Intent,
    PlaySong,
    PreparePlay,
    Press,
    ReadResult,
    RecordLost,
    RecordSkipped,
    Recover,
    SitOut,
)
from services.scriptor.memory import Controls, Memory, Part, Pending, Skipped
from services.scriptor.play.calibrate import recommend_correction, shift_from_fast_slow
from services.scriptor.play.offset_estimate import estimate
from services.scriptor.play.startsync import StartSyncError
from services.scriptor.play_record import play_record, skipped_record, title_of, wrong_result
from services.scriptor.recovery import UNKNOWN, Recovery, RecoveryPolicy, Step
from services.scriptor.result import ResultReading, as_reading, read_fields
from services.scriptor.timings import Clock, Timings, task_clock
from services.scriptor.tools import PlayerLike, SongGuess, Tools
from shared import device_offsets as offsets
from shared import error_bundles as bundles
from shared import play_history as history
from shared.atomic_write import write_atomic
from shared.catalog import DIFFICULTIES
from shared.config.scriptor import Performance, ScriptorConfig
from shared.device import DeviceError, Frame
from shared.screen_facts import STORY_UNREAD_PIXEL, story_unread
from shared.task_context import LogLevel, TaskContext, TaskError

MIN_CONFIDENCE = 0.6  # below this a screen is "unknown"
RESULT_FRAMES = 6  # frames of the result screen read before giving up on the counts
KEEP_FRAMES = 8  # last frames kept for the error bundle
KEEP_NOTES = 200  # last recovery / device / play log lines kept for the error bundle
MODEL_CHANGE_RECENT_S = 24 * 3600.0  # a screen model this new is named when unknown screens end a run

RECOVERY_WORDS = {
    Step.safe_tap: "tapping the last dialog's button once more",
    Step.back: "pressing BACK",
    Step.restart: "restarting the game",
    Step.give_up: "giving up",
    Step.wait: "waiting",
    Step.act: "acting",
}


class FrameReadings:
    """The decider's ``Readings`` of one frame, each read only when a rule asks."""

    def __init__(self, frame: Frame, tools: Tools) -> None:
        self.frame, self.t = frame, tools

    def ready_controls(self) -> Controls:
        ready = read_ready(self.frame)
        return ready.mode, ready.cut_in

    def story_unread(self) -> bool:
        x, y = STORY_UNREAD_PIXEL
        b, g, r = (int(v) for v in self.frame[y, x])
        return story_unread((b, g, r))

    def song_on_screen(self) -> int | None:
        return self.t.recognise(self.frame, False).song_id

    def chart_difficulties(self, song_id: int) -> frozenset[int]:
        return frozenset(self.t.charts.difficulties(song_id))


@dataclass
class _Sent:
    """What the play engine's thread left: its statistics or its error."""

    stats: object = None
    error: Exception | None = None


class Scriptor:
    def __init__(
        self,
        ctx: TaskContext[ScriptorConfig],
        tools: Tools,
        timings: Timings | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.ctx = ctx
        self.t = tools
        self.timings = timings or Timings()
        self.clock = clock or task_clock(ctx.sleep)
        cfg = ctx.config
        policy = RecoveryPolicy(max_same_state=cfg.MAX_SAME_STATE, protected=frozenset(cfg.protected_state))
        self.memory = Memory(recovery=Recovery(policy))
        self.cycle_no = 0
        self.plays = 0
        self.tap_count = 0
        self.last_tap_at = float("-inf")
        self.foreground_asked = float("-inf")
        self.game_started = float("-inf")
        self.frames: deque[tuple[float, str, Frame]] = deque(maxlen=KEEP_FRAMES)
        self.last_action = ""
        self.last_state = ""
        self.device_failures = 0
        self.notes: deque[str] = deque(maxlen=KEEP_NOTES)  # for the error bundle's log
        self._player: PlayerLike | None = None
        self.offsets = offsets.OffsetStore(ctx.data_dir)

    # -- what the memory holds, as the executor reads and sets it -------------------------
    @property
    def pending(self) -> Pending | None:
        return self.memory.pending

    @pending.setter
    def pending(self, value: Pending | None) -> None:
        self.memory = replace(self.memory, pending=value)

    @property
    def finished(self) -> bool:
        return self.memory.finished

    @finished.setter
    def finished(self, value: bool) -> None:
        self.memory = replace(self.memory, finished=value)

    @property
    def tapped_on(self) -> str | None:
        return self.memory.tapped_on

    @tapped_on.setter
    def tapped_on(self, value: str | None) -> None:
        self.memory = replace(self.memory, tapped_on=value)

    @property
    def recovery(self) -> Recovery:
        return self.memory.recovery

    @recovery.setter
    def recovery(self, value: Recovery) -> None:
        self.memory = replace(self.memory, recovery=value)

    # -- the loop ------------------------------------------------------------------------
    def run(self) -> None:
        self.ctx.log("scriptor started")
        try:
            while not self.done():
                started = self.clock.now()
                self.cycle()
                self.clock.sleep(max(0.0, self.timings.cycle_s - (self.clock.now() - started)))
        finally:
            if self._player is not None:
                self._player.close()  # lifts every contact

    def _drop_player(self) -> None:
        """The injector went away (an emulator restart): the next song gets a new sender
        and a new forward instead of this one's dead connection."""
        if self._player is not None:
            self._player.close()
            self._player = None

    def player(self) -> PlayerLike:
        """The play engine's sender, started once and kept for the run: starting a process
        at the first note would cost the first notes on a loaded machine."""
        if self._player is None:
            self._player = self.t.player()
            self._player.open()
        return self._player

    def done(self) -> bool:
        return self.memory.at_rest

    def cycle(self) -> None:
        self.ctx.checkpoint()
        cfg = self.ctx.config
        self.cycle_no += 1
        frame = self._frame()
        if frame is None:
            return
        raw, conf = self.t.classify(frame)
        state = raw if conf >= MIN_CONFIDENCE else UNKNOWN
        if self.t.settle is not None:
            state = self.t.settle(state, frame)
        now = self.clock.now()
        self.frames.append((now, state, frame))
        self._report(state, conf, now)
        if cfg.is_allow_save and state in cfg.special_state_list:
            self._save_frame(frame, state)
        if cfg.is_no_action:
            return
        try:
            self._act(state, frame, now)
        except DeviceError as exc:  # an input that did not reach the device: retried
            self._device_failed(exc)

    def _act(self, state: str, frame: Frame, now: float) -> None:
        if self._foreign_app(state, now):
            return
        obs = Observation(state, now, FrameReadings(frame, self.t), len(self.t.catalog))
        decision, self.memory = decide(self.memory, obs, self.ctx.config)
        for note in decision.notes:
            if note.keep:
                self._note(note.message, note.level)
            else:
                self.ctx.log(note.message, note.level)
        taps = self.tap_count
        for intent in decision.intents:
            if not self._run_intent(intent, frame):
                return  # still reading the result: no tap yet
        if decision.acts:
            self.memory = replace(self.memory, tapped_on=state if self.tap_count != taps else None)

    def _run_intent(self, intent: Intent, frame: Frame) -> bool:
        """Run one intent; False when the intents after it must wait for the next frame."""
        match intent:
            case Press(state, taps):
                self._taps(state, taps)
            case Recover():
                self._recover(intent)
            case ReadResult(state):
                return not self.result_frame(state, frame)
            case PreparePlay():
                self._prepare_play(frame)
            case PlaySong():
                self._play_song()
            case RecordLost(pending, what):
                self._record_lost(pending, what)
            case RecordSkipped(skipped):
                self._record_skipped(skipped)
            case SitOut():
                self._sit_out()
            case EndRun(state):
                self.ctx.log(f"run finished on {state}")
            case GiveUp(why):
                self._give_up(why)
            case _:
                assert_never(intent)
        return True

    # -- device --------------------------------------------------------------------------
    def _frame(self) -> Frame | None:
        recent = self.clock.now() - self.last_tap_at < self.timings.fresh_after_tap_s
        grab = self.t.fresh_frame if recent and self.t.fresh_frame is not None else self.t.device.screencap
        try:
            frame = grab()
        except DeviceError as exc:
            self._device_failed(exc)
            return None
        if self.device_failures:
            self._note(f"device answers again after {self.device_failures} failed tries")
            self.device_failures = 0
            self._drop_player()  # its connection may be to the emulator that went away
        return frame

    def _device_failed(self, exc: DeviceError) -> None:
        """A capture or an input failed: wait and try again with backoff (a disconnect is
        not fatal at the first failure), give up with an error bundle after
        ``Timings.device_retries_s`` (~47 s)."""
        retries = self.timings.device_retries_s
        if self.device_failures >= len(retries):
            self._give_up(f"the device stopped answering: {exc}")
        wait = retries[self.device_failures]
        self.device_failures += 1
        self._note(f"device: {exc}; retrying in {wait:g} s ({self.device_failures})", "warning")
        self.clock.sleep(wait)

    def _note(self, message: str, level: LogLevel = "info") -> None:
        """Log a line and keep it for the error bundle."""
        self.notes.append(f"{time.strftime('%H:%M:%S')} {level}: {message}")
        self.ctx.log(message, level)

    def _foreign_app(self, state: str, now: float) -> bool:
        """Another app in front (the launcher, a browser a notification opened): start the
        game and send that app nothing. Asked on unknown screens, the first cycle and every
        ``Timings.foreground_every_s``; True when the cycle must not act."""
        package = self.t.game_package
        if not package or (
            state != UNKNOWN and now - self.foreground_asked < self.timings.foreground_every_s
        ):
            return False
        self.foreground_asked = now
        try:
            front = self.t.device.foreground_app()
        except DeviceError as exc:
            self.ctx.log(f"cannot tell which app is in front: {exc}", "warning")
            return False
        if not front or front == package:
            return False
        if now - self.game_started >= self.timings.game_start_wait_s:
            self._note(f"{front} is in front, not the game: starting the game ({package})", "warning")
            self.ctx.checkpoint()
            self.t.device.start_game()
            self.game_started = now
            self.last_action = f"start the game ({front} was in front)"
        return True

    def _tap(self, state: str, tap: Tap) -> None:
        self.ctx.checkpoint()  # a stop means no further input
        self.t.device.tap(tap.x, tap.y)
        self.tap_count += 1
        self.last_tap_at = self.clock.now()
        self.recovery = self.recovery.tapped(state, tap.x, tap.y, tap.button)
        self.last_action = f"tap ({tap.x},{tap.y}) on {state}"
        if tap.pause_s:
            self.clock.sleep(tap.pause_s)

    def _taps(self, state: str, taps: tuple[Tap, ...]) -> None:
        for tap in taps:
            self._tap(state, tap)

    def _recover(self, intent: Recover) -> None:
        step = intent.step
        self._note(f"recovery: {RECOVERY_WORDS[step]} ({intent.why})", "warning")
        self.last_action = f"recovery {step.value}"
        self.ctx.checkpoint()
        if step is Step.safe_tap:
            self._taps(UNKNOWN, intent.taps)
        elif step is Step.back:
            self.t.device.back()
        elif step is Step.restart:
            self.t.device.stop_game()
            self.clock.sleep(self.timings.restart_pause_s)
            self.t.device.start_game()
            self.recovery = self.recovery.restarted(self.clock.now())
            if self.pending is not None and self.pending.played:
                self._record_lost(self.pending, "the game was restarted before its result showed")
            if self.memory.skipped is not None:
                self._record_skipped(self.memory.skipped)
            self.memory = replace(self.memory, pending=None, skipped=None)
        elif step is Step.give_up:
            self._give_up(intent.why)

    # -- the ready screen: a play prepared ------------------------------------------------
    def _prepare_play(self, frame: Frame) -> None:
        cfg = self.ctx.config
        guesses = [self.t.recognise(frame, cfg.multiplayer)]
        if flows.is_medley(cfg):
            if self.t.recognise_medley is None:
                self._unsure(frame, "no recogniser for the medley's other songs", None)
                return
            guesses += [self.t.recognise_medley(frame, k) for k in (1, 2)]
        offset_us = self._offset()  # read once per play: a change mid-song waits for the next
        parts: list[Part] = []
        for guess in guesses:
            part = self._prepare(guess, offset_us)
            if isinstance(part, verify.Skip):
                self._skip(frame, part, guess.song_id)
                return
            parts.append(part)
        first = parts[0]
        # The screen must show the chart chosen (its level, its badge) unless the difficulty
        # is picked here, after this frame.
        shown = read_ready_song(frame) if cfg.fixed_difficulty and len(parts) == 1 else None
        skip = verify.ready_mismatch(
            shown, first.song_id, self._title(first.song_id), first.difficulty, first.level
        )
        if skip is not None:
            self._skip(frame, skip, first.song_id, first.difficulty)
            return
        self.player()  # connected before the song starts
        pending = Pending(
            first.song_id,
            first.difficulty,
            first.chart,
            first.plan,
            medley=tuple(parts[1:]),
            offset_us=offset_us,
            level=first.level,
        )
        pending.votes.note_count = sum(p.chart.note_count for p in parts)
        pending.votes.songs = tuple(self.t.catalog)
        self.memory = replace(self.memory, pending=pending, ready_seen=1)
        for part, guess in zip(parts, guesses, strict=True):
            self.ctx.log(
                f"ready: {self._title(part.song_id)} ({part.song_id}) {DIFFICULTIES[part.difficulty]} "
                f"lv {part.level}; {guess.detail}"
            )
        self.ctx.state(
            song_id=first.song_id,
            song=" / ".join(self._title(p.song_id) for p in parts),
            difficulty=DIFFICULTIES[first.difficulty],
            in_play=True,
        )
        self._taps("ready", start_taps(cfg, [p.difficulty for p in parts]))

    def _title(self, song_id: int) -> str:
        return title_of(self.t.catalog, song_id)

    def _offset(self) -> int:
        """The offset (``correction_time``, us) the next play uses: the device's own (learned,
        or its kind's default the first time), or the config's when ``pin_offset``."""
        cfg = self.ctx.config
        key = offsets.device_key(self.t.device.info)
        if cfg.pin_offset:
            us, source = cfg.correction_time, "pinned in the config (pin_offset)"
        else:
            default_us, why = offsets.default_offset(self.t.device.info, cfg.correction_time)
            dev = self.offsets.current(key, default_us, why)
            us, source = dev.offset_us, ("pinned" if dev.pinned else dev.source)
        self.ctx.state(offset_ms=us / 1000, offset_device=key, offset_source=source)
        return us

    def _prepare(self, guess: SongGuess, offset_us: int) -> Part | verify.Skip:
        """The recognised song's chart for ``level``, compiled with ``offset_us``; or why it
        cannot be played."""
        cfg = self.ctx.config.model_copy(update={"correction_time": offset_us})
        if guess.song_id is None:
            return verify.Skip("unrecognised", guess.detail)
        song = self.t.catalog.get(guess.song_id)
        have = set(self.t.charts.difficulties(guess.song_id))
        difficulty = flows.difficulty_index(cfg.level, have)
        if difficulty not in have:
            listed = song is None or not song.levels or difficulty in song.levels
            return verify.no_chart(
                guess.song_id, self._title(guess.song_id), difficulty, listed, guess.detail
            )
        chart = self.t.charts.load(guess.song_id, difficulty)
        level = song.levels.get(difficulty, 0) if song else 0
        return Part(guess.song_id, difficulty, chart, self.t.compile(chart, cfg, level), level)

    def _skip(
        self, frame: Frame, skip: verify.Skip, song_id: int | None, difficulty: int | None = None
    ) -> None:
        """A song not played: unrecognised ones are kept for add_song; a recognised one
        without its chart is said as such (the recognition was sure)."""
        if skip.kind == "unrecognised":
            self._unsure(frame, skip.message, song_id)
            return
        self._skipped(skip.message, song_id, difficulty)

    def _unsure(self, frame: Frame, detail: str, song_id: int | None) -> None:
        """Never play a song the recogniser is not sure of: keep the frame for add_song,
        log the candidates and go on without touching the song."""
        path = self._save_frame(
            frame, "unsure", folder=self.ctx.data_dir / "song_recognition" / "screenshots"
        )
        self._skipped(f"song not recognised surely ({detail}); frame saved as {path.name}", None)

    def _skipped(self, why: str, song_id: int | None, difficulty: int | None = None) -> None:
        """The decider's skip (solo: back to song select; a room: ready pressed, the song
        left to the others and recorded at its result), carried out."""
        cfg = self.ctx.config
        diff = flows.difficulty_index(cfg.level) if difficulty is None else difficulty
        decision, self.memory = skip(self.memory, cfg, Skipped(song_id, diff, why))
        for note in decision.notes:
            self._note(note.message, note.level)
        for intent in decision.intents:
            if isinstance(intent, Press):
                self._taps(intent.state, intent.taps)

    def _record_skipped(self, s: Skipped) -> None:
        """A room's song left to the others: in the history as skipped (never cleared), its
        offset teaching nothing."""
        info = self.t.device.info
        rec = skipped_record(s, self.ctx.config, self.t.catalog, info)
        history.append(self.ctx.data_dir, rec)
        self.recovery = self.recovery.progressed()
        self._note(f"{rec.title}: recorded as skipped (not played by the scriptor)")

    def _sit_out(self) -> None:
        """A room's song left to the others: no touches; the screen is watched (the panel
        keeps counting) until it is no longer the playing screen or its budget is spent."""
        budget = self.recovery.policy.budget("playing")
        started = self.clock.now()
        while self.clock.now() - started < budget:
            self.ctx.checkpoint()
            self.clock.sleep(self.timings.play_watch_s)
            frame = self._song_frame()
            if frame is None:
                continue
            state, conf = self.t.classify(frame)
            self.ctx.state(
                screen="playing",
                time_in_state_s=round(self.clock.now() - self.recovery.since, 1),
                in_play=False,
            )
            if state != "playing" and conf >= MIN_CONFIDENCE:
                return

    def _play_song(self) -> None:
        p = self.pending
        if p is None or p.played:
            return  # a song we did not prepare, or the end of ours: wait for the result
        part = p.parts[p.parts_played]
        if p.medley:
            self.ctx.log(f"medley song {p.parts_played + 1} of {len(p.parts)}: {self._title(part.song_id)}")
            self.ctx.state(song_id=part.song_id, song=self._title(part.song_id))
        self.ctx.log("playing: synchronising with the first note")
        player = self.player()
        try:
            t0 = self.t.start_time(part.chart)
        except (StartSyncError, DeviceError) as exc:
            # Not fatal: the song plays itself out untouched, its result is still recorded.
            self._note(
                f"start sync failed ({exc}): this song goes untouched (its Misses are recorded as such)",
                "warning",
            )
            p.untouched = f"start sync failed: {exc}"
            p.parts_played += 1
            p.played = p.parts_played == len(p.parts)
            return
        stop = threading.Event()
        out = _Sent()

        def run() -> None:
            try:
                out.stats = player.play(part.plan, t0, stop)
            except Exception as exc:  # reported below, in the task's thread
                out.error = exc

        sender = threading.Thread(target=run, name="play", daemon=True)
        sender.start()
        watched, failed = self.clock.now(), False
        notes = [part.chart.seconds(n.beat) for n in part.chart.notes]
        watch = freeze.FreezeWatch(notes, t0 - time.monotonic() + self.clock.now())
        try:
            while sender.is_alive():
                self.clock.sleep(self.timings.play_poll_s)
                if self.clock.now() - watched >= self.timings.play_watch_s:
                    watched = self.clock.now()
                    # The panel keeps counting while the song plays (no cycles meanwhile).
                    self.ctx.state(
                        screen="playing",
                        time_in_state_s=round(watched - self.recovery.since, 1),
                        in_play=True,
                    )
                    seen = self._song_frame()
                    watch.observe(seen, watched)
                    if failed := self._song_failed(seen):
                        self._note("the song was failed (health ran out): touches stopped", "warning")
                        break
        finally:
            stop.set()
            sender.join(5.0)
        if frozen := watch.finish(self.clock.now()):
            p.fault = freeze.words(frozen)
            self._note(f"{p.fault}: its result is recorded as such", "warning")
        p.parts_played += 1
        # A medley's next song: the next playing screen (a failed song ends the medley).
        p.played = failed or p.parts_played == len(p.parts)
        if out.error is not None:
            self.ctx.log(f"play failed: {out.error}", "error")
        else:
            self.ctx.log(f"play done: {out.stats}")
        if out.error is not None or getattr(out.stats, "error", None):
            self._drop_player()

    def _song_frame(self) -> Frame | None:
        try:
            frame: Frame = self.t.device.screencap()
        except DeviceError:
            return None  # the song goes on; the result decides
        return frame

    def _song_failed(self, frame: Frame | None) -> bool:
        """During a song: does the screen already show the failed dialog? (Then the rest of
        the plan must not be sent: it would tap the dialog.)"""
        if frame is None:
            return False
        state, conf = self.t.classify(frame)
        return state == "failed" and conf >= MIN_CONFIDENCE

    # -- results -------------------------------------------------------------------------
    def result_frame(self, state: str, frame: Frame) -> bool:
        """Called before the state's action on ``award`` and ``failed``: reads the result
        of a finished play. Returns True while it still needs frames (no tap yet)."""
        p = self.pending
        if p is None:
            return False
        if not p.played:
            # The song ran while the loop was away (a device outage): its result is still a
            # play of the run, recorded as what it was.
            self._note("a result without the song having been played by the scriptor", "warning")
            p.played, p.untouched = True, p.untouched or "not played by the scriptor (device outage?)"
        if state == "failed":
            self._record(p, None, cleared=False)  # decided from the frame after the song
            return False
        reading = p.votes.add(frame)
        if reading is None:
            # Complete readings that do not add up to the chart: kept to tell a wrong song
            # from a misread digit (two frames must agree).
            p.other_readings.append(as_reading(read_fields(frame, p.votes.songs)))
            if p.votes.frames < RESULT_FRAMES:
                return True
        full, wrong = wrong_result(p, reading)  # the result must be this play's
        if wrong:
            self._note(f"wrong song? {wrong}: recorded as a wrong song, not as cleared", "warning")
            self._record(p, full, cleared=False, wrong_song=wrong)
            return False
        self._record(p, reading, cleared=True)
        return False

    def _play_record(
        self, p: Pending, reading: ResultReading | None, *, cleared: bool, wrong_song: str = ""
    ) -> history.PlayRecord:
        info = self.t.device.info
        return play_record(
            p, reading, self.ctx.config, self.t.catalog, info, cleared=cleared, wrong_song=wrong_song
        )

    def _record_lost(self, p: Pending, what: str) -> None:
        """A song that was played but whose result never showed (the game restarted, a
        fault): recorded for what it was, never cleared, teaching the offset nothing."""
        p.fault = "; ".join(filter(None, [p.fault, f"lost: {what}"]))
        history.append(self.ctx.data_dir, self._play_record(p, None, cleared=False))
        self._note(f"song {p.song_id}: {what}; recorded as lost", "warning")

    def _record(
        self, p: Pending, reading: ResultReading | None, *, cleared: bool, wrong_song: str = ""
    ) -> None:
        cfg = self.ctx.config
        rec = self._play_record(p, reading, cleared=cleared, wrong_song=wrong_song)
        history.append(self.ctx.data_dir, rec)
        self.plays += 1
        self.pending = None
        self.recovery = self.recovery.progressed()
        counts = " ".join(f"{k} {v}" for k, v in rec.counts.items()) or rec.note
        verdict = "WRONG SONG" if wrong_song else ("cleared" if cleared else "FAILED")
        self._note(f"play {self.plays}: {rec.title} {verdict}: {counts}")
        self.ctx.state(plays=self.plays, in_play=False)
        self._learn(p, reading if cleared else None)
        if cfg.is_caliboration:
            self._calibrated(reading, p.offset_us)
        cfg_done = (
            cfg.is_caliboration
            or not cfg.is_repeat
            or (cfg.is_play_one_song and p.song_id == cfg.play_one_song_id)
        )
        if cfg_done:
            self.finished = True

    def _learn(self, p: Pending, reading: ResultReading | None) -> None:
        """The device's offset after a play: moved by the mean touch error its result shows
        (bounded), unless the play cannot say (untouched, failed, unread, a performance that
        aims off Perfect on purpose) or the offset is pinned."""
        cfg = self.ctx.config
        if cfg.pin_offset:
            return  # the config's value, always: nothing to learn
        why = ""
        if p.untouched:
            why = p.untouched
        elif reading is None:
            why = "no result counts (failed or unread)"
        elif cfg.performance is not Performance.AllPerfect:
            why = f"performance {cfg.performance.value} misses Perfect on purpose"
        est = (
            estimate(reading.counts, reading.fast, reading.slow) if reading is not None and not why else None
        )
        key = offsets.device_key(self.t.device.info)
        misses = int(reading.counts.get("miss", 0)) if reading is not None else 0
        move = self.offsets.learn(
            key, p.offset_us, est, misses=misses, song_id=p.song_id, title=self._title(p.song_id), why_not=why
        )
        if move.why == "learned":
            self._note(
                f"offset of {key}: mean touch error {move.mean_error_ms:+.1f} ms -> "
                f"{p.offset_us / 1000:+.1f} ms becomes {move.offset_us / 1000:+.1f} ms from the next song"
            )
        elif move.offset_us != p.offset_us:
            self._note(
                f"offset of {key}: {move.why}: {move.offset_us / 1000:+.1f} ms from the next song", "warning"
            )
        else:
            self.ctx.log(f"offset of {key} stays {move.offset_us / 1000:+.1f} ms ({move.why})")
        self.ctx.state(
            offset_ms=move.offset_us / 1000,
            offset_device=key,
            offset_moved_ms=(move.offset_us - p.offset_us) / 1000,
        )

    def _calibrated(self, reading: ResultReading | None, used_us: int) -> None:
        """One calibration play: the FAST/SLOW balance says which way the touches are off;
        recommend a ``correction_time`` and stop (the user decides to keep it)."""
        if reading is None:
            self.ctx.log("calibration: the result screen could not be read; nothing to recommend", "warning")
            return
        shift = shift_from_fast_slow(reading.fast, reading.slow)
        best = recommend_correction(used_us, shift)
        self.ctx.log(
            f"calibration: FAST {reading.fast}, SLOW {reading.slow}: "
            f"recommended correction_time {best} us (now {used_us})"
        )
        self.ctx.state(recommended_correction_time=best)

    # -- reporting -----------------------------------------------------------------------
    def _report(self, state: str, conf: float, now: float) -> None:
        if state != self.last_state:
            self.ctx.log(f"screen: {state} ({conf:.2f})", "debug")
            self.last_state = state
        self.ctx.state(
            screen=state,
            confidence=round(conf, 3),
            cycle=self.cycle_no,
            time_in_state_s=round(now - self.recovery.since, 1) if self.recovery.state == state else 0.0,
            last_action=self.last_action,
            in_play=self.pending is not None,  # song/difficulty are the current play's, else the last one's
        )

    def _save_frame(self, frame: Frame, state: str, folder: Path | None = None) -> Path:
        folder = folder or self.ctx.data_dir / "ui_recognition" / "inbox"
        path = folder / f"{state}-{time.strftime('%Y%m%d-%H%M%S')}-{self.cycle_no}.png"
        ok, png = cv2.imencode(".png", frame)
        if ok:
            write_atomic(path, png.tobytes())
        return path

    def _model_hint(self, why: str) -> str:
        """Unknown screens right after the screen model changed point at the model."""
        model = self.t.ui_model
        if "unknown screen" not in why or model is None:
            return ""
        try:
            age_s = time.time() - model.stat().st_mtime
        except OSError:
            return ""
        if age_s > MODEL_CHANGE_RECENT_S:
            return ""
        return (
            f"; the screen model was replaced {age_s / 3600:.1f} h ago by training on your frames "
            f"({model.name}): if known screens are seen as unknown, go back to the shipped model"
        )

    def _give_up(self, why: str) -> None:
        """Stop with an error bundle (``bundles.py``): the last frames, the state history,
        why, and the run's recovery log."""
        folder = bundles.new_bundle(self.ctx.data_dir)
        stamp = folder.name
        for i, (_, state, frame) in enumerate(self.frames):
            ok, png = cv2.imencode(".png", frame)
            if ok:
                write_atomic(folder / f"frame-{i:02d}-{state}.png", png.tobytes())
        states = [{"t": round(t, 3), "state": s} for t, s in self.recovery.history]
        device = self.t.device.info.serial
        said = {"reason": why, "device": device, "states": states}
        write_atomic(folder / "states.json", json.dumps(said, indent=1).encode())
        why += self._model_hint(why)
        self._note(f"giving up: {why}", "error")
        write_atomic(folder / "log.txt", ("\n".join(self.notes) + "\n").encode())
        self.ctx.state(error_bundle=f"scriptor/errors/{stamp}")
        raise TaskError(f"gave up: {why} (error bundle: scriptor/errors/{stamp})")
