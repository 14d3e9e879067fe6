"""The simulator's transitions follow the catalogue: pressing any button of any screen, in
any flow, leads to one of the states its ``to`` names (a dialog's button closes it)."""

from __future__ import annotations

import pytest

from services.simulator.game import Game, Popup
from shared.catalogue import DISMISS, SCREENS
from shared.config.scriptor import Event, Mode
from tests.simulator.pure_game import make

FLOWS: dict[str, tuple[Mode, Event]] = {
    "free": (Mode.Free, Event.Challenge),
    "stage": (Mode.Stage, Event.Challenge),
    "challenge": (Mode.Event, Event.Challenge),
    "tour": (Mode.Event, Event.Tour),
    "compete": (Mode.Event, Event.Compete),
    "collaborate": (Mode.Collaborate, Event.Challenge),
}


def _at(flow: str, state: str, story: bool = False) -> tuple[Game, float]:
    mode, event = FLOWS[flow]
    g, c = make(Mode.Story if story else mode, event)
    now = c(0.1)
    g.popup, g.queue = None, []
    g.flow, g.state = flow, state
    g.story_unread = 1
    return g, now


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_every_press_leads_where_the_catalogue_says(flow: str) -> None:
    pressed = 0
    for screen in SCREENS.values():
        dialog = any(DISMISS in b.to for b in screen.buttons)
        for b in screen.buttons:
            for story in (False, True) if screen.state == "main_page" else (False,):
                g, now = _at(flow, "main_page" if dialog else screen.state, story)
                if dialog:  # a dialog over the main page, showing this button's row
                    g.popup = Popup(screen.state, frozenset({b.when} - {""}), now, None)
                if b.when and b.when not in g.variants():
                    continue
                if screen.state == "story":
                    g.story_menu = True
                assert g.tap(now + 0.01, *b.tap_point) == b.name, (screen.state, b.name, sorted(g.variants()))
                pressed += 1
                if b.to == (DISMISS,):
                    assert g.popup is None, (screen.state, b.name)
                elif dialog:  # the sort dialog's options tick boxes: it stays
                    assert g.popup is not None and g.popup.state in b.to, (screen.state, b.name)
                else:
                    assert g.state in b.to, (flow, screen.state, b.name, g.state, b.to)
    assert pressed > 60
