"""The simulated game: the state graph of docs/domain.md section 4 as pure logic.

No sockets, no clock of its own: every call passes ``now`` (seconds on the simulator's
monotonic clock), so tests drive it with a fake clock. Taps land on the buttons of
the screen catalogue (``shared.catalogue``, via ``layout.py``); a tap anywhere else does
nothing, as in the game. Flows by the button the
player takes on the play-mode screen (which one is the event's depends on the scenario):

- free: choose (difficulty fixed here) -> ready -> loading -> playing -> result
- stage: stage -> stage_choose -> choose (Stage arrows, fixed) -> ready -> ...
- challenge (event, left): choose (fixed) -> ready -> ...
- tour (event, left): tour (lobby / solo) [-> join_loading -> join_wait] -> tour_choose ->
  ready (the medley's three songs, a difficulty each) -> loading -> playing, three times
  (one song after the other, each judged on its own) -> one result for the medley
- compete / team (event, right): compete -> join_loading -> join_wait -> ready (the room
  picks the song; difficulty on ready) -> ready_done -> loading -> playing -> ... ->
  award_back -> compete
- collaborate, mission, trial (1080,480): join -> join_loading -> join_wait -> join_choose
  -> ready (difficulty on ready) -> ready_done -> ... -> award_again -> join_wait
- story (mode Story): main_page -> story_choose -> story -> story_skip -> story_dialog

Result: award_loading -> award (the counts) -> award_score -> [award_dialog] -> back to
the flow's song select. Faults (scenario ``faults``) put a popup over the screen, freeze
it, show an unknown screen, crash to the launcher, take ADB offline or slow capture.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from services.simulator import layout
from services.simulator.judge import Judgement, Windows, judge
from services.simulator.scenario import Fault, Scenario
from services.simulator.touch_server import Commit
from shared.chart import Chart, Directional, Slide, Tap
from shared.config.scriptor import Event, Mode
from shared.playfield import Coefficients, lane_x, shipped_coefficients, time_to_judge, y_of_depth
from shared.screen_facts import LIVE_MODES

LAUNCHER = "launcher"  # the emulator's home screen (not one of the 34)
UNKNOWN = "unknown"  # a screen that is none of the 34

FIXED_FLOWS = ("free", "stage", "challenge", "tour")  # difficulty chosen on song select
MULTI_FLOWS = ("compete", "collaborate")  # ready_done between start and play
# Life lost per judgement (assumed: no source gives the game's numbers). The bar only shows
# it: a play ends early only by a "failed" fault, so the judge's counts stay whole.
LIFE_LOSS: dict[str, float] = {"bad": 0.03, "miss": 0.06}

ChartLoader = Callable[[int, int], tuple[Chart, int]]  # (song, difficulty) -> (chart, difficulty played)


@dataclass(frozen=True)
class Sprite:
    """A note as the playfield draws it (``services.simulator.field.NoteSprite``)."""

    kind: str  # tap, flick, long, skill, directional, slide
    x: float
    y: float
    width: float = 1.0
    direction: str | None = None
    tail_y: float | None = None


@dataclass
class Play:
    song: int
    difficulty: int
    chart: Chart
    t0: float  # chart time 0 reaches the judge line
    end: float  # when the result screen takes over
    commits: list[Commit] = field(default_factory=list)
    result: Judgement | None = None
    fail_at: float | None = None  # a "failed" fault: health runs out then
    failed: bool = False
    shown: bool = False  # its result screen was shown (a crash right after the song loses it)
    medley: int | None = None  # its place in a tour medley (0..2); None: a single song
    life_settled: float = -1.0  # chart seconds up to which misses have taken life (Game._life)
    life_lost: float = 0.0

    def life(self, now: float) -> float:
        """The life bar at ``now``: full, or, when the play is set to fail, draining
        linearly from the song's start to empty at the failing moment."""
        if self.fail_at is None or now <= self.t0:
            return 1.0
        span = max(self.fail_at - self.t0, 1e-6)
        return min(max(1.0 - (now - self.t0) / span, 0.0), 1.0)


@dataclass
class Popup:
    state: str
    variants: frozenset[str]
    since: float
    fault: int | None  # index in scenario.faults


@dataclass(frozen=True)
class GameView:
    """Everything a screen shows, for the screens' renderer."""

    state: str
    variants: frozenset[str]
    song: int
    difficulty: int
    live_mode: str  # ready: "3d", "mv" or "off" (the mode button cycles them)
    cut_in: bool  # ready: the 3D cut-in checkbox (shown, and tappable, only while OFF)
    coop: bool = False  # a multiplayer flow: the result shows the co-op panel
    notes: tuple[Sprite, ...] = ()
    started: bool = False
    life: float = 1.0  # the life bar, 0..1 (drains toward a "failed" fault's moment)
    counts: dict[str, int] | None = None  # the result screen (award)
    combo: int = 0  # the playfield's combo counter (not judged live: stays 0)
    title_layout: str = "fixed"  # where the title sits: "fixed" (song select) or "ready"
    unread_story: bool = False
    medley: tuple[tuple[int, int], ...] = ()  # ready of a medley: the 2nd and 3rd (song, difficulty)
    key: int = 0  # changes when anything visible changes (frame cache key)


@dataclass
class FaultRecord:
    kind: str
    at: float
    left: float | None = None
    detail: str = ""


class Game:
    def __init__(self, scenario: Scenario, charts: ChartLoader, now: float = 0.0) -> None:
        self.sc = scenario
        self.charts = charts
        self.rng = random.Random(scenario.seed)
        self.windows = Windows(**scenario.judge.model_dump())
        self.coef: Coefficients = shipped_coefficients()
        self.start_time = now
        self.state = "loading" if scenario.game_running else LAUNCHER
        # Waiting screens move on by themselves: (when, next state), in order.
        self.queue: list[tuple[float, str]] = (
            [(now + scenario.delays.app_start, "main_page")] if scenario.game_running else []
        )
        self.flow = "free"
        self.song_index = 0
        self.difficulty = scenario.difficulty
        self.live_mode, self.cut_in = "3d", True
        self.medley = [scenario.difficulty] * 3  # the medley's difficulties, song by song
        self.medley_part = 0  # which medley song plays next
        self.play: Play | None = None
        self.plays: list[Play] = []
        self.offered: list[dict[str, object]] = []
        self.popup: Popup | None = None
        self.unknown_until: float | None = None
        self.frozen: tuple[float, GameView] | None = None  # until, the view it froze on
        self.offline_until = 0.0
        self.slow: tuple[float, float] = (0.0, 0.0)  # until, latency s
        self.faults: list[FaultRecord] = []
        self._fault_done: set[int] = set()
        self._fault_open: dict[int, int] = {}  # scenario fault -> record index
        self._entries: dict[str, int] = {}
        self.story_unread = 3
        self.story_menu = False
        self.plays_done = 0
        self.ignored_taps = 0
        self.foreign_input = 0  # taps and keys sent while another app (the launcher) was in front
        self.key_last = ""  # the last button pressed
        self.key = 0
        self.stroke_starts: dict[int, tuple[float, float]] = {}
        self._curve = _curve_table(self.coef)
        self._enter(self.state, now)

    # -- queries -----------------------------------------------------------------------------

    @property
    def foreground(self) -> str:
        return (
            "com.android.launcher3/.Launcher"
            if self.state == LAUNCHER
            else f"{self.sc.package}/{self.sc.activity}"
        )

    def online(self, now: float) -> bool:
        return now >= self.offline_until

    def capture_latency(self, now: float) -> float:
        until, latency = self.slow
        return latency if now < until else 0.0

    @property
    def song(self) -> int:
        return self.sc.songs[self.song_index % len(self.sc.songs)]

    @property
    def medley_songs(self) -> list[int]:
        """A tour's medley set: the song under the cursor and the two after it."""
        n = len(self.sc.songs)
        return [self.sc.songs[(self.song_index + k) % n] for k in range(3)]

    @property
    def fixed(self) -> bool:
        return self.flow in FIXED_FLOWS

    def variants(self) -> frozenset[str]:
        if self.popup is not None:
            return self.popup.variants
        s = self.state
        v: set[str] = set()
        if s == "playmode":
            if self.sc.mode is Mode.Event and self.sc.event in (Event.Challenge, Event.Tour):
                v.add("event_left")
            if self.sc.mode is Mode.Event and self.sc.event in (Event.Compete, Event.Team):
                v.add("event_right")
        elif s in ("choose", "join_choose"):
            v.add("stage" if self.flow == "stage" else "normal")
            if self.flow == "free":
                v.add("free")
            if self.fixed and s == "choose":
                v.add("fixed")
        elif s == "ready":
            if self.flow == "tour":
                v.add("medley")
            elif not self.fixed:
                v.add("pick")
            if self.flow == "stage":
                v.add("stage")
        elif s == "award_back":
            v.add("finish")
        return frozenset(v)

    def view(self, now: float) -> GameView:
        self.tick(now)
        if self.frozen is not None:
            return self.frozen[1]
        state = (
            self.popup.state if self.popup else (UNKNOWN if self.unknown_until is not None else self.state)
        )
        notes: tuple[Sprite, ...] = ()
        started = False
        life = 1.0
        counts = None
        if self.state == "playing" and self.play is not None and self.popup is None:
            notes = self.sprites(self.play, now)
            started = True
            life = self._life(self.play, now)
        if self.state == "award" and self.plays and self.plays[-1].result is not None:
            counts = self._result_counts()
        play = self.play or (self.plays[-1] if self.plays else None)
        song = (
            play.song
            if play is not None and self.state in ("playing", "award_loading", "award_score", "award")
            else self.song
        )
        diff = (
            play.difficulty
            if play is not None and self.state in ("playing", "award_score", "award")
            else self.difficulty
        )
        return GameView(
            state=state,
            variants=self.variants(),
            song=song,
            difficulty=diff,
            live_mode=self.live_mode,
            cut_in=self.cut_in,
            coop=self.flow in MULTI_FLOWS,
            notes=notes,
            started=started,
            life=life,
            counts=counts,
            title_layout="fixed" if self.fixed else "ready",
            unread_story=self.story_unread > 0,
            medley=tuple(zip(self.medley_songs[1:], self.medley[1:], strict=True))
            if state == "ready" and self.flow == "tour"
            else (),
            key=self.key,
        )

    # -- time --------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        self._fire_timed_faults(now)
        if self.frozen is not None and now >= self.frozen[0]:
            self.frozen = None
            self.key += 1
            self._left_fault("frozen", now)
        if self.unknown_until is not None and now >= self.unknown_until:
            self.unknown_until = None
            self.key += 1
            self._left_fault("unknown", now)
        if self.offline_until and now >= self.offline_until:
            self._left_fault("adb_disconnect", now)
        if self.slow[0] and now >= self.slow[0]:
            self.slow = (0.0, 0.0)
            self._left_fault("slow", now)
        while self.queue and now >= self.queue[0][0] and self.popup is None:
            at, nxt = self.queue.pop(0)
            self._go(nxt, at, keep_queue=True)
        play = self.play
        if self.state == "playing" and play is not None and play.fail_at is not None and now >= play.fail_at:
            self._fail_play(play, play.fail_at)
        elif self.state == "playing" and play is not None and now >= play.end and self.popup is None:
            self._finish_play(play, play.end)

    def _go(self, state: str, now: float, *, keep_queue: bool = False) -> None:
        if not keep_queue:
            self.queue = []  # a tap that leaves a waiting screen cancels its timers
        self.state = state
        self.key += 1
        self._enter(state, now)

    def _wait(self, state: str, seconds: float, then: str, now: float) -> None:
        self._chain(now, [(state, seconds)], then)

    def _chain(self, now: float, steps: list[tuple[str, float]], then: str) -> None:
        """Show each waiting screen for its seconds, then ``then``."""
        self._go(steps[0][0], now)
        at = now
        for k, (_, secs) in enumerate(steps):
            at += secs
            nxt = steps[k + 1][0] if k + 1 < len(steps) else then
            self.queue.append((at, nxt))

    def _enter(self, state: str, now: float) -> None:
        self._entries[state] = self._entries.get(state, 0) + 1
        if state == "ready":
            # The game remembers 3D and cut-in on: the player turns them off.
            self.live_mode, self.cut_in = "3d", True
            offer: dict[str, object] = {
                "song": self.song,
                "flow": self.flow,
                "at": round(now - self.start_time, 3),
            }
            if self.flow == "tour":
                offer["medley"] = self.medley_songs
            self.offered.append(offer)
        if state == "playing":
            self._start_play(now)
        if state == "award" and self.plays:
            self.plays[-1].shown = True
        if state == "main_page":
            self._left_fault("crash", now)
        self._fire_state_faults(state, now)

    # -- input -------------------------------------------------------------------------------

    def commit(self, c: Commit) -> None:
        """Touches from an injector or ``input``: recorded for the judge during play; a
        contact's down and up on the same button press it on the menus."""
        self.tick(c.t)
        if self.state == "playing" and self.play is not None and self.popup is None:
            # The device's hidden input latency: the touch reaches the game this much later.
            self.play.commits.append(replace(c, t=c.t + self.sc.input_latency_ms / 1000))
            return
        for ev in c.events:
            if ev.kind == "d":
                self.stroke_starts[ev.contact] = (ev.x, ev.y)
            elif ev.kind == "u":
                start = self.stroke_starts.pop(ev.contact, None)
                if start is not None:
                    self.tap(c.t, *start)

    def tap(self, now: float, x: float, y: float) -> str | None:
        """Press whatever button is at (x, y); returns its name (None: nothing there)."""
        self.tick(now)
        if self.state == LAUNCHER:
            self.foreign_input += 1
        if self.frozen is not None or self.state in (LAUNCHER, "playing") or self.unknown_until is not None:
            self.ignored_taps += 1
            return None
        state = self.popup.state if self.popup else self.state
        b = layout.hit(state, x, y, self.variants())
        if b is None:
            self.ignored_taps += 1
            return None
        self.key += 1
        if self.popup is not None:
            self._popup_button(b.name, now)
        else:
            self._button(b.name, now)
        self.key_last = b.name
        return b.name

    def back(self, now: float) -> None:
        """The Android BACK key: leaves an unknown screen or a dialog, else the screen's
        own back arrow where it has one."""
        self.tick(now)
        self.key += 1
        if self.state == LAUNCHER:
            self.foreign_input += 1
        if self.frozen is not None or self.state == LAUNCHER:
            return
        if self.unknown_until is not None:
            self.unknown_until = None
            self._left_fault("unknown", now)
            return
        if self.popup is not None:
            self._close_popup(now)
            return
        if any(b.name == "back" for b in layout.buttons(self.state, self.variants())):
            self._button("back", now)

    def start_app(self, now: float) -> None:
        self.tick(now)
        if self.state == LAUNCHER:
            self.popup = None
            self._wait("loading", self.sc.delays.app_start, "main_page", now)

    def force_stop(self, now: float) -> None:
        self.tick(now)
        self._reset_to_launcher(now)

    def _reset_to_launcher(self, now: float) -> None:
        self.popup = None
        self.unknown_until = None
        self.frozen = None
        self.play = None
        self._go(LAUNCHER, now)

    # -- the screens' buttons ----------------------------------------------------------------

    def _button(self, name: str, now: float) -> None:
        """A press of ``name`` on the current screen: the screens whose outcome depends on
        the flow, a wait or the story are handled here; every other button moves to the
        one state the catalogue says it leads to."""
        s, d = self.state, self.sc.delays
        if s == "main_page":
            self._go("story_choose" if self.sc.mode is Mode.Story else "playmode", now)
        elif s == "playmode":
            self._playmode(name, now)
        elif s in ("choose", "join_choose"):
            self._song_select(name, now)
        elif s in ("compete", "join") and name == "enter":
            room = "ready" if s == "compete" else "join_choose"
            self._chain(now, [("join_loading", d.join_loading), ("join_wait", d.join_wait)], room)
        elif s == "tour" and name == "lobby":
            self._chain(now, [("join_loading", d.join_loading), ("join_wait", d.join_wait)], "tour_choose")
        elif s == "ready":
            self._ready(name, now)
        elif s == "award_score":
            self._after_award(now)
        elif s == "award_again":
            self._wait("join_wait", d.join_wait, "join_choose", now)
        elif s == "failed_again":
            self._wait("award_loading", d.award_loading, "award", now)
        elif s == "story_choose" and name == "read":
            if self.story_unread > 0:
                self.story_menu = False
                self._go("story", now)
        elif s == "story":
            if name == "menu":
                self.story_menu = True
            elif name == "skip" and self.story_menu:
                self._go("story_skip", now)
        elif s == "story_skip":
            self.story_unread -= 1
            self._open_popup("story_dialog", now, None, over="story_choose")
        else:
            self._go(self._destination(name), now)

    def _destination(self, name: str) -> str:
        """The one state the catalogue says ``name`` on this screen leads to."""
        (b,) = [b for b in layout.buttons(self.state, self.variants()) if b.name == name]
        if len(b.to) != 1:
            raise AssertionError(f"{self.state}.{name} leads to {b.to}: the game must pick one")
        return b.to[0]

    def _playmode(self, name: str, now: float) -> None:
        sc, d = self.sc, self.sc.delays
        if name == "back":
            self._go("main_page", now)
            return
        if name == "event":
            flow = {Event.Challenge: "challenge", Event.Tour: "tour"}.get(sc.event, "compete")
        else:
            flow = name  # free, stage, collaborate (Mission/Trial rooms too)
        self.flow = flow
        nxt = {"free": "choose", "challenge": "choose", "stage": "stage", "tour": "tour",
               "compete": "compete", "collaborate": "join"}[flow]  # fmt: skip
        if nxt == "choose":
            self._wait("loading", d.loading, "choose", now)
        else:
            self._go(nxt, now)

    def _song_select(self, name: str, now: float) -> None:
        n = len(self.sc.songs)
        if name == "list_up":
            self.song_index = (self.song_index - 1) % n
        elif name == "list_down":
            self.song_index = (self.song_index + 1) % n
        elif name == "random":
            self.song_index = self.rng.randrange(n)
        elif name.startswith("difficulty_"):
            self.difficulty = layout.DIFFICULTY_NAMES.index(name[len("difficulty_") :])
        elif name == "confirm":
            self._go("ready", now)
        elif name == "back":
            self._go({"stage": "stage_choose"}.get(self.flow, "playmode"), now)

    def _ready(self, name: str, now: float) -> None:
        d = self.sc.delays
        if name == "start":
            if self.flow in MULTI_FLOWS:
                self._chain(now, [("ready_done", d.ready_done), ("loading", d.loading)], "playing")
            else:
                self._wait("loading", d.loading, "playing", now)
        elif name.startswith("difficulty_"):
            self.difficulty = layout.DIFFICULTY_NAMES.index(name[len("difficulty_") :])
        elif name.startswith("medley_"):
            _, k, dname = name.split("_", 2)
            self.medley[int(k)] = layout.DIFFICULTY_NAMES.index(dname)
            if k == "0":
                self.difficulty = self.medley[0]
        elif name == "live_mode":
            self.live_mode = LIVE_MODES[(LIVE_MODES.index(self.live_mode) + 1) % len(LIVE_MODES)]
        elif name == "cut_in" and self.live_mode == "off":  # hidden behind avatars otherwise
            self.cut_in = not self.cut_in
        elif name == "back":
            back = {"free": "choose", "challenge": "choose", "stage": "choose", "tour": "tour_choose"}
            self._go(back.get(self.flow, "playmode"), now)

    def _after_award(self, now: float) -> None:
        self.plays_done += 1
        if self.flow == "compete":
            nxt = "award_back"
        elif self.flow == "collaborate":
            nxt = "award_again"
        else:
            nxt = {"tour": "tour_choose"}.get(self.flow, "choose")
        if self.plays_done % 3 == 0:  # every third result brings a reward dialog
            self._open_popup("award_dialog", now, None, over=nxt)
        else:
            self._go(nxt, now)

    # -- play --------------------------------------------------------------------------------

    def _start_play(self, now: float) -> None:
        song, difficulty, part = self.song, self.difficulty, None
        if self.flow == "tour":
            part = self.medley_part
            song, difficulty = self.medley_songs[part], self.medley[part]
        chart, played = self.charts(song, difficulty)
        t0 = now + self.sc.delays.lead_in
        end = t0 + chart.last_note_s + self.sc.delays.after_song
        self.play = Play(song, played, chart, t0, end, medley=part)

    def _finish_play(self, play: Play, now: float) -> None:
        play.result = judge(play.chart, play.t0, play.commits, self.windows)
        self.plays.append(play)
        self.play = None
        if play.medley is not None and play.medley < 2:
            # The medley goes on: a loading screen, then the next song's playfield.
            self.medley_part = play.medley + 1
            self._wait("loading", self.sc.delays.loading, "playing", now)
            return
        self.medley_part = 0
        if self.flow in MULTI_FLOWS:
            # Rooms move on to the next song the room picks.
            self.song_index = (self.song_index + 1) % len(self.sc.songs)
        self._wait("award_loading", self.sc.delays.award_loading, "award", now)

    def _fail_play(self, play: Play, now: float) -> None:
        """Health ran out mid-song: the song stops on the failed screen (its notes from
        here on are misses); failed -> failed_again -> the result."""
        play.result = judge(play.chart, play.t0, play.commits, self.windows)
        play.failed = True
        self.plays.append(play)
        self.play = None
        self._left_fault("failed", now)
        self._go("failed", now)

    def _result_counts(self) -> dict[str, int]:
        """The result screen's counts: the last play's, or a whole medley's (summed; the
        best combo of its songs)."""
        last = self.plays[-1]
        group = self.plays[-(last.medley + 1) :] if last.medley is not None else [last]
        counts = [p.result.counts() for p in group if p.result is not None]
        out = {k: sum(c[k] for c in counts) for k in counts[0]}
        out["max_combo"] = max(c["max_combo"] for c in counts)
        return out

    def sprites(self, play: Play, now: float) -> tuple[Sprite, ...]:
        """The notes on the field at ``now``: each at the depth where the first-note curve
        puts it (``time_to_judge(depth) = T0 + t - now``)."""
        out: list[Sprite] = []
        chart = play.chart
        horizon = self._curve[1][-1]  # seconds to judge at depth 0
        for n in chart.notes:
            t_head = play.t0 + chart.seconds(n.beat) - now
            t_tail = play.t0 + chart.seconds(n.end_beat) - now
            if t_head > horizon or t_tail < -0.05:
                continue
            head_y = self._y(t_head)
            if isinstance(n, Tap):
                kind = "skill" if n.skill else ("flick" if n.flick else "tap")
                out.append(Sprite(kind, lane_x(n.lane), head_y))
            elif isinstance(n, Directional):
                x = lane_x(n.lane + (n.width - 1) / 2)
                out.append(Sprite("directional", x, head_y, float(n.width), n.direction))
            elif isinstance(n, Slide):
                tail_y = self._y(t_tail)
                kind = "long" if n.long else "slide"
                lane = _slide_lane_at(n, chart, now - play.t0) if t_head < 0 else n.lane
                y = min(head_y, float(y_of_depth(1.0)))
                out.append(Sprite(kind, lane_x(lane), y, tail_y=tail_y))
        return tuple(out)

    def _life(self, play: Play, now: float) -> float:
        """The life bar: each BAD or MISS judged so far costs ``LIFE_LOSS``, and a play set
        to fail drains to empty at its failing moment. Judged in half-second steps, each
        on the notes whose windows closed in it (with the touches from their start on), so
        a long song costs no more per frame than a short one."""
        settled = now - play.t0 - (self.windows.bad_ms + self.windows.flick_ms) / 1000
        step = math.floor(settled * 2) / 2
        if step > play.life_settled:
            chart, since = play.chart, play.life_settled
            batch = tuple(n for n in chart.notes if since < chart.seconds(n.end_beat) <= step)
            if batch:
                first = play.t0 + min(chart.seconds(n.beat) for n in batch) - 1.0
                touches = [c for c in play.commits if c.t >= first]
                res = judge(dataclasses.replace(chart, notes=batch), play.t0, touches, self.windows)
                play.life_lost += sum(LIFE_LOSS.get(r.judgement, 0.0) for r in res.results)
            play.life_settled = step
        return min(max(0.0, 1.0 - play.life_lost), play.life(now))

    def _y(self, seconds_to_judge: float) -> float:
        ts, ds = self._curve[1], self._curve[0]
        return float(y_of_depth(float(np.interp(seconds_to_judge, ts, ds))))

    # -- popups and faults -------------------------------------------------------------------

    def _open_popup(self, state: str, now: float, fault: int | None, over: str | None = None) -> None:
        if over is not None:
            self._go(over, now)
            if self.state == LAUNCHER:
                return  # a crash on entering it: no game, no dialog
        row = self.rng.randrange(6 if state == "opps" else 3)
        variants = frozenset({f"row{row}"}) if state in ("opps", "award_dialog") else frozenset()
        self.popup = Popup(state, variants, now, fault)
        self.key += 1

    def _popup_button(self, name: str, now: float) -> None:
        assert self.popup is not None
        if self.popup.state == "choose_dialog" and name != "confirm":
            return  # options only tick boxes
        self._close_popup(now)

    def _close_popup(self, now: float) -> None:
        p = self.popup
        self.popup = None
        self.key += 1
        if p is not None and p.fault is not None:
            rec = self._fault_open.pop(p.fault, None)
            if rec is not None:
                self.faults[rec].left = round(now - self.start_time, 3)

    def _fire_timed_faults(self, now: float) -> None:
        for i, f in enumerate(self.sc.faults):
            if i not in self._fault_done and f.at_s is not None and now - self.start_time >= f.at_s:
                self._inject(i, f, now)

    def _fire_state_faults(self, state: str, now: float) -> None:
        for i, f in enumerate(self.sc.faults):
            if (
                i not in self._fault_done
                and f.on_state == state
                and self._entries.get(state, 0) >= f.occurrence
            ):
                self._inject(i, f, now)

    def _inject(self, i: int, f: Fault, now: float) -> None:
        if f.kind == "failed":
            if self.state != "playing" or self.play is None:
                return  # waits for a song to fail
            self.play.fail_at = self.play.t0 + f.duration_s
        elif f.kind != "adb_disconnect" and f.kind != "slow" and self.state in (LAUNCHER, "playing"):
            return  # waits for a screen it can cover (plays are never interrupted but by "failed")
        self._fault_done.add(i)
        detail = (
            f.state
            if f.kind == "popup"
            else (f"{f.latency_ms:g} ms" if f.kind == "slow" else f"{f.duration_s:g} s")
        )
        self.faults.append(FaultRecord(f.kind, round(now - self.start_time, 3), None, detail))
        self._fault_open[i] = len(self.faults) - 1
        if f.kind == "popup":
            self._open_popup(f.state, now, i)
        elif f.kind == "frozen":
            self.frozen = None
            self.frozen = (now + f.duration_s, self.view(now))
        elif f.kind == "unknown":
            self.unknown_until = now + f.duration_s
        elif f.kind == "crash":
            self._reset_to_launcher(now)
        elif f.kind == "adb_disconnect":
            self.offline_until = now + f.duration_s
        elif f.kind == "slow":
            self.slow = (now + f.duration_s, f.latency_ms / 1000)
        self.key += 1

    def _left_fault(self, kind: str, now: float) -> None:
        for i, rec in list(self._fault_open.items()):
            if self.sc.faults[i].kind == kind:
                self.faults[rec].left = round(now - self.start_time, 3)
                del self._fault_open[i]
        if kind == "adb_disconnect":
            self.offline_until = 0.0


def _curve_table(c: Coefficients) -> tuple[np.ndarray, np.ndarray]:
    """(depths, seconds to judge) sampled over depth 1.1 .. 0, seconds increasing."""
    depths = np.linspace(1.1, 0.0, 441)
    secs = np.array([time_to_judge(float(d), c) for d in depths])
    return depths, secs


def _slide_lane_at(n: Slide, chart: Chart, t: float) -> float:
    """The slide's lane at chart time ``t`` (linear between its nodes)."""
    pts = n.points
    for a, b in itertools.pairwise(pts):
        ta, tb = chart.seconds(a.beat), chart.seconds(b.beat)
        if ta <= t <= tb:
            return a.lane + (b.lane - a.lane) * ((t - ta) / (tb - ta) if tb > ta else 1.0)
    return pts[-1].lane
