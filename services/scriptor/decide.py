"""The scriptor's decider: screen state + what the frame shows + config + memory -> what to
do (``Decision``: intents for the executor, log notes) and the memory for the next cycle.
Pure, in the style of the play engine's ``compile_chart``: no device, no clock (the time is
the observation's), nothing it is given is changed, so every rule is tested with plain data
(tests/scriptor/test_decide.py). The executor (``loop.py``) grabs and reads frames, runs
the intents and publishes.

One cycle: a finished run at a rest state ends; the recovery ladder (``recovery.py``) says
whether the loop is stuck (then its step is the decision); a result screen is read; a
screen tapped in the last cycle is looked at again; else the state's action
(``actions.ACTIONS``): fixed presses, a wait, or a flow of ``FLOWS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from services.scriptor import flows
from services.scriptor.actions import ACTIONS, DIALOGS, Flow, Tap, Taps, back
from services.scriptor.intents import (
    Decision,
    EndRun,
    GiveUp,
    Intent,
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
from services.scriptor.memory import Controls, ControlTap, Memory, Skipped
from services.scriptor.recovery import UNKNOWN, Recovery, Step
from shared.config.scriptor import Mode, ScriptorConfig

CONTROL_WAIT = 3  # frames a ready control may take to show a tap before it is tapped again
UNANSWERED_TAPS = 2  # cycles of taps on one screen without it changing: say so
# Where a finished run stops: back where a song would be chosen (or out of the room), so
# that the game is left as a user would leave it, never on a dialog or in a room.
REST_STATES = frozenset({"choose", "tour_choose", "playmode", "main_page", "story_choose"})


class Readings(Protocol):
    """What the frame shows (and the data dir holds), read only when a rule asks."""

    def ready_controls(self) -> Controls:
        """The ready screen's (live mode, cut-in)."""
        ...

    def story_unread(self) -> bool:
        """Story select marks a story not read yet."""
        ...

    def song_on_screen(self) -> int | None:
        """Song select's song (None: not sure)."""
        ...

    def chart_difficulties(self, song_id: int) -> frozenset[int]:
        """The difficulties of ``song_id`` whose chart is in the data dir."""
        ...


@dataclass(frozen=True)
class Observation:
    state: str  # ``unknown`` below the classifier's confidence threshold
    now: float  # the executor's clock
    readings: Readings
    songs_listed: int = 0  # songs in the catalog: a search longer than twice that gives up


Outcome = tuple[Decision, Memory]
FlowRule = Callable[[Memory, Observation, ScriptorConfig], Outcome]


def decide(memory: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    state = obs.state
    if memory.finished and memory.pending is None and state in REST_STATES:
        # Back where the next song would be chosen: no further taps.
        return Decision((EndRun(state),)), replace(memory, at_rest=True)
    was, unanswered = memory.recovery.state, memory.recovery.unanswered
    step, rec = memory.recovery.configure(cfg.MAX_SAME_STATE, cfg.protected_state).observe(state, obs.now)
    memory = replace(memory, recovery=rec)
    notes: list[Note] = []
    if state != was and unanswered >= UNANSWERED_TAPS and state != UNKNOWN:
        notes.append(Note(f"the game reacts again ({was} -> {state})"))
    if rec.unanswered == UNANSWERED_TAPS and state == was:
        notes.append(
            Note(
                f"{state}: the last taps did not move the game on (a frozen or slow screen?); trying again",
                "warning",
            )
        )
    if state in DIALOGS and state != was:
        notes.append(Note(f"a dialog ({state}) is over the screen: dismissing it"))
    if step.step is not Step.act:
        why = unanswered_cause(step.button, state, cfg, step.reason) if step.button else step.reason
        return Decision(recover(step.step, why, rec), tuple(notes)), memory
    first: tuple[Intent, ...] = ()
    if state in ("award", "failed") and memory.pending is not None:
        first = (ReadResult(state),)  # the result before the screen's tap
    elif state in ("award", "failed") and memory.skipped is not None:
        first = (RecordSkipped(memory.skipped),)  # a room's song left to the others
        memory = replace(memory, skipped=None)
    if memory.tapped_on == state:
        # The last cycle tapped this very screen: a frame can predate those taps (a video
        # stream lags a screen change), and tapping it again would land on the next
        # screen's buttons (song select's confirm is ready's start). Look again.
        return Decision(first, tuple(notes)), replace(memory, tapped_on=None)
    action = ACTIONS[state]
    if isinstance(action, Taps):
        done, memory = Decision((Press(state, action.taps),)), memory
    elif isinstance(action, Flow):
        done, memory = FLOWS[action.name](memory, obs, cfg)
    else:
        done = Decision()  # a waiting screen
    return Decision((*first, *done.intents), (*notes, *done.notes), acts=True), memory


def recover(step: Step, why: str, rec: Recovery) -> tuple[Intent, ...]:
    """The recovery ladder's step as intents (waiting between BACK presses: none)."""
    if step is Step.wait:
        return ()
    taps: tuple[Tap, ...] = ()
    if step is Step.safe_tap and isinstance(dismiss := ACTIONS[rec.last_known], Taps):
        taps = dismiss.taps
    return (Recover(step, why, taps),)


def unanswered_cause(button: str, state: str, cfg: ScriptorConfig, detail: str) -> str:
    """One plain sentence for a button the game never answered, naming the cause and the
    fix: the play-mode screen's event tile is missing when the game runs no such event."""
    if state == "playmode" and button.startswith("playmode.event") and cfg.mode is Mode.Event:
        return (
            f"the play-mode screen shows no {cfg.event.value} event (the game runs none now): "
            f"set mode/event to what the game offers, e.g. Free ({detail})"
        )
    return (
        f"the game never answered the button {button} on the {state} screen: it does not offer it "
        f"now; change the settings that lead there or the game's state ({detail})"
    )


def skip(m: Memory, cfg: ScriptorConfig, skipped: Skipped) -> Outcome:
    """A song the ready screen shows that the scriptor cannot play (``skipped.why`` names
    the cause), said once. Solo: back to song select, another song next. In a room the
    room picks the song: ready is pressed so the room goes on (leaving it is worse for the
    others), the song runs without touches and its result is recorded as skipped."""
    if not cfg.multiplayer:
        return Decision((Press("ready", (back("ready"),)),), (Note(f"{skipped.why}; skipped", "warning"),)), m
    said = Note(f"{skipped.why}: ready pressed, the song is left to the others (no touches)", "warning")
    return Decision((Press("ready", (flows.START,)),), (said,)), replace(m, skipped=skipped, ready_seen=1)


def start_taps(cfg: ScriptorConfig, difficulties: list[int]) -> tuple[Tap, ...]:
    """A prepared play on the ready screen: its difficulty (each medley song's), then start."""
    return (*flows.ready_difficulty_taps(cfg, difficulties[0], difficulties), flows.START)


# -- flows: the states whose taps depend on the config, the frame or the memory -----------
def _press(state: str, *taps: Tap) -> Decision:
    return Decision((Press(state, taps),))


def song_select(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    state = obs.state
    first: tuple[Intent, ...] = ()
    notes: tuple[Note, ...] = ()
    if m.pending is not None:
        # Back at song select with a song prepared but never recorded (its ready, its play
        # or its result was lost to a fault): it must not be started on the next ready screen.
        if m.pending.played:
            first = (RecordLost(m.pending, "its result was never shown (a fault)"),)
        else:
            notes = (Note(f"song {m.pending.song_id}: it was not played (a fault); not recorded", "warning"),)
        m = replace(m, pending=None)
    if m.skipped is not None:
        # A room's song left to the others whose result never showed: still recorded.
        first = (*first, RecordSkipped(m.skipped))
        m = replace(m, skipped=None)
    if m.finished:
        taps: tuple[Tap, ...] = (back(state),)  # the run is over: out of the room
    else:
        available: set[int] | None = None
        taps = ()
        if cfg.is_play_one_song and not (state == "choose" and cfg.multiplayer):
            if obs.readings.song_on_screen() != cfg.play_one_song_id:
                m = replace(m, search_moves=m.search_moves + 1)
                if m.search_moves > 2 * max(obs.songs_listed, 1):
                    why = f"song {cfg.play_one_song_id} is not in the song list"
                    return Decision((*first, GiveUp(why)), notes), m
                taps = (flows.next_song(state),)  # the next song in the list
            else:
                available = set(obs.readings.chart_difficulties(cfg.play_one_song_id))
        if not taps:
            taps = tuple(flows.song_select_taps(cfg, state, flows.difficulty_index(cfg.level, available)))
    return Decision((*first, Press(state, taps)), notes), m


def ready(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    notes: tuple[Note, ...] = ()
    if cfg.is_checking_3d:
        tapped, notes, m = _controls_off(m, obs)
        if tapped is not None:
            return tapped, m  # a control was tapped: read the next frame before going on
    p = m.pending
    if p is not None and not p.played and not cfg.multiplayer:
        # Solo, start tapped and still on ready: nobody to wait for, the taps did not land
        # (a frozen or slow screen). The song is prepared: start again.
        return Decision((Press(obs.state, (flows.START,)),), notes), m
    if (p is not None and not p.played) or m.skipped is not None:
        # Tapped start already (for a song of ours or one left to the others): in
        # multiplayer the room waits for the others.
        m = replace(m, ready_seen=m.ready_seen + 1)
        if m.ready_seen <= cfg.MAX_RE_READY + 1:
            return Decision((), notes), m
        again = Note(f"ready seen {m.ready_seen} times: pressing start again", "warning", keep=False)
        return Decision((Press(obs.state, (flows.START,)),), (*notes, again)), m
    return Decision((PreparePlay(),), notes), m


def _controls_off(m: Memory, obs: Observation) -> tuple[Decision | None, tuple[Note, ...], Memory]:
    """Whether the live mode reads OFF and the 3D cut-in is unticked (no decision), else
    what to do about it: tap the one control to change (the mode button cycles 3D -> MV ->
    OFF, the cut-in exists only once the mode is OFF), or wait for the screen to show the
    last tap, so a slow screen is not cycled past OFF."""
    seen = obs.readings.ready_controls()
    mode, cut_in = seen
    last = m.control_tap
    notes: tuple[Note, ...] = ()
    if last is not None and last.seen != seen:
        if m.recovery.unanswered >= UNANSWERED_TAPS:
            notes = (Note(f"the game reacts again ({obs.state}: a control changed)"),)
        m = replace(m, recovery=m.recovery.answered())
    if mode is None or seen in (("off", False), ("off", None)):
        return None, notes, replace(m, control_tap=None)
    if last is not None and last.seen == seen and last.waited < CONTROL_WAIT:
        return Decision((), notes), notes, replace(m, control_tap=ControlTap(seen, last.waited + 1))
    tap = flows.CUT_IN if mode == "off" else flows.LIVE_MODE
    which = "cut-in" if tap is flows.CUT_IN else "the mode button"
    said = Note(f"ready: live mode {mode}, cut-in {cut_in}: tapping {which}", keep=False)
    return (
        Decision((Press(obs.state, (tap,)),), (*notes, said)),
        notes,
        replace(m, control_tap=ControlTap(seen)),
    )


def playing(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    p = m.pending
    if p is None and m.skipped is not None:
        return Decision((SitOut(),)), m  # a room's song left to the others
    if p is None or p.played:
        return Decision(), m  # a song we did not prepare, or the end of ours: wait for the result
    return Decision((PlaySong(),)), m


def story_choose(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    if obs.readings.story_unread():
        return _press(obs.state, flows.STORY_READ), m
    if not m.finished:
        # Nothing left to read: the run ends here.
        return Decision(notes=(Note("story: every story is read", keep=False),)), replace(m, finished=True)
    return Decision(), m


def award_back(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    return _press(obs.state, flows.award_back_tap(m.finished)), m


def lobby(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    return _press(obs.state, *flows.lobby_taps(obs.state, m.finished)), m


def tour(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    return _press(obs.state, flows.tour_tap(cfg)), m


def playmode(m: Memory, obs: Observation, cfg: ScriptorConfig) -> Outcome:
    return _press(obs.state, flows.playmode_tap(cfg)), m


FLOWS: dict[str, FlowRule] = {
    "song_select": song_select,
    "ready": ready,
    "playing": playing,
    "story_choose": story_choose,
    "award_back": award_back,
    "lobby": lobby,
    "tour": tour,
    "playmode": playmode,
}
