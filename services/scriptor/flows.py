"""The taps of the states that depend on the config (docs/scriptor-and-play.md section 1):
pure functions of the config and what the loop knows, so each rule is tested without a
device. The loop (``loop.py``) runs them; recognition and play happen there. Every tap
presses a catalogue button by name (``actions.press``)."""

from __future__ import annotations

from services.scriptor.actions import Tap, back, press
from shared.catalogue import DIFFICULTY_NAMES
from shared.config.scriptor import Choose, Event, Level, Mode, ScriptorConfig

# Difficulty index as the game orders its buttons (Easy 0 .. Special 4).
LEVEL_INDEX: dict[Level, int] = {
    lv: i for i, lv in enumerate((Level.Easy, Level.Normal, Level.Hard, Level.Expert, Level.Special))
}
SPECIAL = LEVEL_INDEX[Level.Special]
EXPERT = LEVEL_INDEX[Level.Expert]


def difficulty_index(level: Level, available: set[int] | None = None) -> int:
    """The configured difficulty, with Special falling back to Expert when the song has
    no Special chart (``available``: the song's difficulty indexes, when known)."""
    i = LEVEL_INDEX[level]
    if i == SPECIAL and available is not None and SPECIAL not in available:
        return EXPERT
    return i


def playmode_tap(cfg: ScriptorConfig) -> Tap:
    if cfg.mode is Mode.Free:
        return press("playmode", "free")
    if cfg.mode is Mode.Collaborate:
        return press("playmode", "collaborate")
    if cfg.mode is Mode.Stage:
        return press("playmode", "stage")
    if cfg.mode is Mode.Event:
        if cfg.event in (Event.Mission, Event.Trial):
            return press("playmode", "collaborate")
        if cfg.event in (Event.Challenge, Event.Tour):
            return press("playmode", "event", "event_left")
        return press("playmode", "event", "event_right")  # Compete, Team
    # Story has no live: its entry is the story screen, reached from the main page.
    return back("playmode")


def song_select_taps(cfg: ScriptorConfig, state: str, difficulty: int) -> list[Tap]:
    """Song select (``choose``) or song select in a room (``join_choose``)."""
    if state == "choose" and cfg.multiplayer:
        return [back(state)]  # a multiplayer run picks songs in the room, not here
    arrows = "stage" if cfg.mode is Mode.Stage else "normal"  # Stage has its own list arrows
    out: list[Tap] = []
    if cfg.choose is Choose.ListDown:
        out.append(press(state, "list_down", arrows))
    elif cfg.choose is Choose.ListUp:
        out.append(press(state, "list_up", arrows))
    elif cfg.choose is Choose.Random:
        out.append(
            press(state, "random", "free", 0.8) if cfg.mode is Mode.Free else press(state, "random", "normal")
        )
    elif cfg.choose is Choose.No:
        out.append(press(state, "no"))
    # A room's song select has no difficulty badges (picked on the ready page): a solo config
    # meeting one (changed mid-room, or a screen misread) presses none rather than failing.
    if cfg.fixed_difficulty and state == "choose":
        out.append(press(state, f"difficulty_{DIFFICULTY_NAMES[difficulty]}", "fixed", 0.4))
    out.append(press(state, "confirm"))
    return out


def next_song(state: str) -> Tap:
    """Song select: the next song in the list (searching for one song)."""
    return press(state, "list_down", "normal")


def is_medley(cfg: ScriptorConfig) -> bool:
    """A tour: the ready screen sets up a medley of three songs, played in one go."""
    return cfg.mode is Mode.Event and cfg.event is Event.Tour


def ready_difficulty_taps(cfg: ScriptorConfig, difficulty: int, medley: list[int] | None = None) -> list[Tap]:
    """Taps on the ready screen before start: the difficulty when it is not fixed on song
    select, Stage's option, Tour's three medley songs (``medley``: each song's difficulty,
    else ``difficulty`` for all three)."""
    out: list[Tap] = []
    if is_medley(cfg):
        # Special is reached through Expert's button (the first tap), as the first version did.
        for k, d in enumerate(medley or [difficulty] * 3):
            if d == SPECIAL:
                out.append(press("ready", f"medley_{k}_expert", "medley"))
            out.append(press("ready", f"medley_{k}_{DIFFICULTY_NAMES[d]}", "medley"))
        return out
    if not cfg.fixed_difficulty:
        out.append(press("ready", f"difficulty_{DIFFICULTY_NAMES[difficulty]}", "pick"))
    if cfg.mode is Mode.Stage:
        out += [press("ready", "stage_option", "stage"), press("ready", "stage_confirm", "stage")]
    return out


START = press("ready", "start")
LIVE_MODE = press("ready", "live_mode")  # cycles 3D -> MV -> OFF
CUT_IN = press("ready", "cut_in")  # the 3D cut-in checkbox (only while the mode is OFF)
STORY_READ = press("story_choose", "read")  # story select: read the marked story


def lobby_taps(state: str, finished: bool) -> list[Tap]:
    """Multiplayer lobby (``compete``/``join``): enter a room, or leave when the run is done."""
    return [back(state)] if finished else [press(state, "enter")]


def tour_tap(cfg: ScriptorConfig) -> Tap:
    return press("tour", "lobby") if cfg.effective_lobby else press("tour", "solo")


def award_back_tap(finished: bool) -> Tap:
    return press("award_back", "finish", "finish") if finished else press("award_back", "go_on")
