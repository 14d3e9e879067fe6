"""docs/real-game.md is generated from the catalogue and kept in sync with it."""

from __future__ import annotations

from shared.catalogue import SCREENS
from shared.catalogue.doc import DOC, main, render


def test_the_doc_is_in_sync_with_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m shared.catalogue.doc"
    assert main(["--check"]) == 0


def test_the_doc_names_every_state_button_and_source() -> None:
    text = render()
    for screen in SCREENS.values():
        assert f"### {screen.state}\n" in text
        for b in screen.buttons:
            assert f"| {b.name} |" in text and b.source.ref.split()[0] in text
    assert "## Still assumed (no source)" in text and "story_unread" in text
