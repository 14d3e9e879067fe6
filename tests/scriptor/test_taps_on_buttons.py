"""Every tap the scriptor can make lands on a button of the screen it is made on, in
every variant of that screen the game shows where the button is (the screen catalogue,
``shared.catalogue``, is the one table both the scriptor and the simulator use)."""

from __future__ import annotations

import itertools
from typing import Any

from services.scriptor import flows
from services.scriptor.actions import ACTIONS, Flow, Tap, Taps, Wait, back
from shared.catalogue import SCREENS, hit
from shared.config.scriptor import Choose, Event, Level, Mode, ScriptorConfig
from shared.screens import UI_STATES


def _lands(tap: Tap, state: str) -> None:
    """``tap`` presses the button it names, in every variant set that shows that button."""
    st, _, rest = tap.button.partition(".")
    name, _, when = rest.partition("@")
    assert st == state, f"{tap.button} tapped on {state}"
    sets = [v for v in SCREENS[state].variant_sets if not when or when in v]
    assert sets, f"{tap.button}: no variant set of {state} shows it"
    for variants in sets:
        b = hit(state, tap.x, tap.y, variants)
        assert b is not None, f"{tap.button} at ({tap.x},{tap.y}) hits nothing on {state} {sorted(variants)}"
        assert b.name == name, (
            f"{tap.button} at ({tap.x},{tap.y}) presses {b.name} on {state} {sorted(variants)}"
        )


def _configs() -> list[ScriptorConfig]:
    out = []
    for mode, event, choose, level, lobby in itertools.product(
        list(Mode), list(Event), list(Choose), list(Level), (True, False)
    ):
        kw: dict[str, Any] = {"mode": mode, "event": event, "choose": choose, "level": level, "lobby": lobby}
        out.append(ScriptorConfig.model_validate(kw))
    return out


def test_every_fixed_action_presses_a_button_of_its_state() -> None:
    assert set(ACTIONS) == set(UI_STATES)
    for state, action in ACTIONS.items():
        if isinstance(action, Taps):
            assert action.taps, state
            for tap in action.taps:
                _lands(tap, state)
        else:
            assert isinstance(action, Wait | Flow)


def test_every_flow_tap_presses_a_button_of_its_state_in_every_config() -> None:
    for state in UI_STATES:
        if any(b.name == "back" for b in SCREENS[state].buttons):
            _lands(back(state), state)
    for cfg in _configs():
        tap = flows.playmode_tap(cfg)
        _lands(tap, "playmode")
        _lands(flows.tour_tap(cfg), "tour")
        # Song select in a room only comes up in a multiplayer run.
        for state in ("choose", "join_choose") if cfg.multiplayer else ("choose",):
            _lands(flows.next_song(state), state)
            for d in range(5):
                for t in flows.song_select_taps(cfg, state, d):
                    _lands(t, state)
        for d in range(5):
            for t in flows.ready_difficulty_taps(cfg, d):
                _lands(t, "ready")
        for medley in itertools.product(range(5), repeat=3):
            for t in flows.ready_difficulty_taps(cfg, 0, list(medley)) if flows.is_medley(cfg) else []:
                _lands(t, "ready")
    for finished in (True, False):
        for state in ("compete", "join"):
            for t in flows.lobby_taps(state, finished):
                _lands(t, state)
        _lands(flows.award_back_tap(finished), "award_back")
    for t in (flows.START, flows.LIVE_MODE, flows.CUT_IN):
        _lands(t, "ready")
    _lands(flows.STORY_READ, "story_choose")


def test_the_known_centres_are_tapped() -> None:
    """Where peer projects measured a button's centre, the scriptor taps it there."""
    assert (flows.START.x, flows.START.y) == (1132, 642)
    live = ACTIONS["main_page"]
    assert isinstance(live, Taps) and (live.taps[0].x, live.taps[0].y) == (1175, 645)
    cfg = ScriptorConfig.model_validate({"mode": "Free", "choose": "No", "level": "Expert"})
    *_, diff, confirm = flows.song_select_taps(cfg, "choose", 3)
    assert (diff.x, diff.y, confirm.x, confirm.y) == (1050, 543, 1090, 637)
