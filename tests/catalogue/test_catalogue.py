"""The screen catalogue as data: every state present, every button and region inside the
frame, no two buttons of one variant set overlapping, every fact with its source and
every transition to a known state."""

from __future__ import annotations

import itertools

import pytest

from shared.catalogue import DISMISS, SCREENS, Button, button, buttons, hit
from shared.playfield import HEIGHT, WIDTH
from shared.screens import UI_STATES


def test_every_state_is_catalogued_once() -> None:
    assert list(SCREENS) == list(UI_STATES)
    assert all(SCREENS[s].state == s for s in UI_STATES)


def test_buttons_and_regions_lie_inside_the_frame() -> None:
    for screen in SCREENS.values():
        for b in screen.buttons:
            x1, y1, x2, y2 = b.box
            assert 0 <= x1 < x2 < WIDTH and 0 <= y1 < y2 < HEIGHT, f"{screen.state}.{b.name} {b.box}"
        for r in screen.regions:
            x1, y1, x2, y2 = r.box
            assert 0 <= x1 <= x2 < WIDTH and 0 <= y1 <= y2 < HEIGHT, f"{screen.state} {r.name} {r.box}"


def _overlap(a: Button, b: Button) -> bool:
    ax1, ay1, ax2, ay2 = a.box
    bx1, by1, bx2, by2 = b.box
    return ax1 < bx2 and bx1 < ax2 and ay1 < by2 and by1 < ay2


def test_no_two_buttons_of_a_variant_set_overlap() -> None:
    for screen in SCREENS.values():
        for variants in screen.variant_sets:
            shown = screen.shown(variants)
            for a, b in itertools.combinations(shown, 2):
                assert not _overlap(a, b), (
                    f"{screen.state} {sorted(variants)}: {a.name} {a.box} / {b.name} {b.box}"
                )


def test_every_variant_is_shown_by_some_variant_set() -> None:
    for screen in SCREENS.values():
        whens = {b.when for b in screen.buttons} - {""}
        shown = set().union(*screen.variant_sets)
        assert whens <= shown, f"{screen.state}: variants {sorted(whens - shown)} never shown"


def test_every_fact_has_a_source() -> None:
    for screen in SCREENS.values():
        for b in screen.buttons:
            for src in (b.source, b.box_source):
                assert src.kind in ("first_version", "peer", "capture", "assumed") and src.ref.strip()
        for r in screen.regions:
            assert r.source.ref.strip(), f"{screen.state} {r.name}"


def test_transitions_lead_to_known_states() -> None:
    for screen in SCREENS.values():
        for b in screen.buttons:
            assert b.to, f"{screen.state}.{b.name} leads nowhere"
            for s in b.to:
                assert s in SCREENS or s == DISMISS, f"{screen.state}.{b.name} -> {s}"


def test_each_tap_point_presses_its_own_button() -> None:
    for screen in SCREENS.values():
        for variants in screen.variant_sets:
            for b in screen.shown(variants):
                assert hit(screen.state, *b.tap_point, variants) == b


def test_lookups_name_what_is_missing() -> None:
    assert button("ready", "start").tap_point == (1132, 642)
    assert buttons("loading") == ()
    with pytest.raises(KeyError, match="list_up"):
        button("choose", "list_up")  # two variants: which one must be said
    with pytest.raises(ValueError, match="nowhere"):
        button("nowhere", "ok")
