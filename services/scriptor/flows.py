"""The taps of the states that depend on the config (docs/scriptor-and-play.md section 1):
pure functions of the config and what the loop knows, so each rule is tested without a
device. The loop (``loop.py``) runs them; recognition and play happen there."""

from __future__ import annotations

from services.scriptor.actions import BACK_BUTTON, Tap
from shared.config.scriptor import Choose, Event, Level, Mode, ScriptorConfig
from shared.screen_facts import CUT_IN_BUTTON, MODE_BUTTON

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
        return Tap(800, 480)
    if cfg.mode is Mode.Collaborate:
        return Tap(1080, 480)
    if cfg.mode is Mode.Stage:
        return Tap(920, 600)
    if cfg.mode is Mode.Event:
        if cfg.event in (Event.Mission, Event.Trial):
            return Tap(1080, 480)
        if cfg.event in (Event.Challenge, Event.Tour):
            return Tap(800, 240)
        return Tap(1080, 240)  # Compete, Team
    # Story has no live: its entry is the story screen, reached from the main page.
    return Tap(*BACK_BUTTON)


def song_select_taps(cfg: ScriptorConfig, state: str, difficulty: int) -> list[Tap]:
    """Song select (``choose``) or song select in a room (``join_choose``)."""
    if state == "choose" and cfg.multiplayer:
        return [Tap(*BACK_BUTTON)]  # a multiplayer run picks songs in the room, not here
    stage = cfg.mode is Mode.Stage
    out: list[Tap] = []
    if cfg.choose is Choose.ListDown:
        out.append(Tap(160, 310) if stage else Tap(380, 420))
    elif cfg.choose is Choose.ListUp:
        out.append(Tap(160, 150) if stage else Tap(380, 270))
    elif cfg.choose is Choose.Random:
        out.append(Tap(680, 650, 0.8) if cfg.mode is Mode.Free else Tap(780, 540))
    elif cfg.choose is Choose.No:
        out.append(Tap(780, 610))
    if cfg.fixed_difficulty:
        out.append(Tap(715 + 115 * difficulty, 540, 0.4))
    out.append(Tap(1080, 620))
    return out


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
                out.append(Tap(304 + 408 * k, 370))
            out.append(Tap(64 + 80 * d + 408 * k, 370))
        return out
    if not cfg.fixed_difficulty:
        if difficulty == SPECIAL:
            out.append(Tap(860, 580))
        out.append(Tap(600 + 85 * difficulty, 580))
    if cfg.mode is Mode.Stage:
        out += [Tap(210, 390), Tap(640, 520)]
    return out


START = Tap(1120, 600)
LIVE_MODE = Tap(*MODE_BUTTON)  # cycles 3D -> MV -> OFF
CUT_IN = Tap(*CUT_IN_BUTTON)  # the 3D cut-in checkbox (only while the mode is OFF)
STORY_READ = Tap(1080, 640)  # story select: read the marked story


def lobby_taps(finished: bool) -> list[Tap]:
    """Multiplayer lobby (``compete``/``join``): enter a room, or leave when the run is done."""
    return [Tap(*BACK_BUTTON)] if finished else [Tap(1080, 640)]


def tour_tap(cfg: ScriptorConfig) -> Tap:
    return Tap(440, 450) if cfg.effective_lobby else Tap(840, 450)


def award_back_tap(finished: bool) -> Tap:
    return Tap(660, 440) if finished else Tap(760, 440)
