"""The chart parser on every real fixture chart, the validator on broken ones, and the
errata layer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared.chart import (
    BpmChange,
    Chart,
    ChartError,
    Slide,
    Tap,
    apply_errata,
    load_errata,
    parse_chart,
    parse_chart_bytes,
    parse_errata,
)
from shared.chart.library import ChartLibrary, load_chart

# What a player checks by hand on each fixture: the combo (taps, flicks, directionals, two
# per long note, one per visible slide connection) and when the last note ends. Durations
# are last beat * 60 / BPM, piecewise where the tempo changes (295: 75 BPM until beat 38,
# then 206.5 BPM).
EXPECTED = {
    # file: (notes, last beat, duration s)
    "1_0.bestdori": (63, 356.5, 356.5 * 60 / 185),
    "295_3.bestdori": (911, 375.5, 38 * 60 / 75 + (375.5 - 38) * 60 / 206.5),
    "295_3.new-format.bestdori": (911, 375.5, 38 * 60 / 75 + (375.5 - 38) * 60 / 206.5),
    "295_4.bestdori": (1000, 375.5, 38 * 60 / 75 + (375.5 - 38) * 60 / 206.5),
    "316_3.bestdori": (683, 274.5, 274.5 * 60 / 140),
    "570_0.bestdori": (106, 272, 272 * 60 / 150),
    "676_3.bestdori": (651, 331.5, 331.5 * 60 / 200),
    "689_4.bestdori": (1064, 351.5, 351.5 * 60 / 190),
    "10001_4.bestdori": (573, 196, 196 * 60 / 130),
}


def combo_of_raw(events: list[dict[str, Any]]) -> int:
    """The combo counted straight off the JSON, as a second opinion on the model."""
    n = 0
    for e in events:
        if e["type"] in ("Single", "Directional"):
            n += 1
        elif e["type"] in ("Long", "Slide"):
            n += sum(1 for c in e["connections"] if not c.get("hidden"))
    return n


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_chart_parses_to_the_counts_a_player_checks(reference_data: Path, name: str) -> None:
    body = (reference_data / "charts" / name).read_bytes()
    chart = parse_chart_bytes(body)
    notes, last_beat, duration = EXPECTED[name]
    assert chart.issues == ()
    assert chart.note_count == notes == combo_of_raw(json.loads(body))
    assert max(n.end_beat for n in chart.notes) == last_beat
    assert chart.duration_s == pytest.approx(duration, abs=1e-9)
    assert sum(chart.counts().values()) == notes


def test_1_0_counted_by_hand(reference_data: Path) -> None:
    # 1_0 (Yes! BanG_Dream! easy) is short enough to read: 61 Single events and one slide
    # from beat 168 to 174 on lane 3, at a constant 185 BPM; first note at beat 12.
    chart = parse_chart_bytes((reference_data / "charts" / "1_0.bestdori").read_bytes())
    assert chart.form == "old"
    assert chart.counts() == {"tap": 61, "flick": 0, "directional": 0, "long": 0, "slide": 2}
    slides = [n for n in chart.notes if isinstance(n, Slide)]
    assert [(p.beat, p.lane) for p in slides[0].points] == [(168, 3), (174, 3)]
    assert chart.first_note_s == pytest.approx(12 * 60 / 185)
    assert chart.duration_s == pytest.approx(115.6216, abs=1e-4)


def test_old_and_new_forms_of_one_chart_agree(reference_data: Path) -> None:
    old = parse_chart_bytes((reference_data / "charts" / "295_3.bestdori").read_bytes())
    new = parse_chart_bytes((reference_data / "charts" / "295_3.new-format.bestdori").read_bytes())
    assert (old.form, new.form) == ("old", "new")
    # The new form splits 39 two-point slides out as Long: same notes, same timing.
    assert sum(1 for n in new.notes if isinstance(n, Slide) and n.long) == 39
    assert not any(isinstance(n, Slide) and n.long for n in old.notes)

    def timeline(c: Chart) -> list[tuple[float, float, float]]:
        return sorted((c.seconds(n.beat), c.seconds(n.end_beat), n.lane) for n in c.notes)

    assert timeline(old) == timeline(new)
    assert old.note_count == new.note_count == 911


def test_seconds_follow_bpm_changes() -> None:
    chart = Chart(
        (BpmChange(0, 120), BpmChange(8, 60), BpmChange(12, 240)),
        (Tap(0, 3), Tap(8, 3), Tap(10, 3), Tap(16, 3)),
    )
    assert [chart.seconds(b) for b in (0, 4, 8, 10, 12, 16)] == [0, 2, 4, 6, 8, 9]
    assert chart.duration_s == 9


def test_first_tempo_applies_from_beat_zero() -> None:
    chart = parse_chart([{"type": "BPM", "beat": 4, "bpm": 120}, {"type": "Single", "beat": 2, "lane": 1}])
    assert chart.seconds(2) == 1.0
    assert [str(i) for i in chart.issues] == ["first BPM is at beat 4, not 0; it is applied from beat 0"]


def test_validator_reports_malformed_events_and_keeps_the_rest() -> None:
    events: list[Any] = [
        {"type": "BPM", "beat": 0, "bpm": 120},
        {"type": "Single", "beat": 1, "lane": 3},
        {"type": "Single", "beat": 2},  # 2: no lane
        {"type": "Single", "beat": -1, "lane": 2},  # 3: negative beat
        {"type": "Slide", "connections": [{"beat": 3, "lane": 1}]},  # 4: one connection
        {"type": "Slide", "connections": [{"beat": 5, "lane": 1}, {"beat": 4, "lane": 2}]},  # 5: backwards
        {"type": "Directional", "beat": 6, "lane": 2, "direction": "Up", "width": 1},  # 6
        {"type": "Meteor", "beat": 7},  # 7: unknown type
        "garbage",  # 8
        {"type": "BPM", "beat": 8, "bpm": 0},  # 9: zero tempo
        {"type": "Single", "beat": 9, "lane": 7},  # 10: lane off the track
        {"type": "Single", "beat": 10, "lane": 4, "flick": "yes"},  # 11: kept, not a flick
        {"type": "Slide", "connections": [{"beat": 11, "lane": -0.5}, {"beat": 12, "lane": 6.5}]},
    ]
    chart = parse_chart(events)
    assert [i.index for i in chart.issues] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    text = [str(i) for i in chart.issues]
    assert "event 2: lane None is outside 0..6" in text
    known = "BPM, System, Single, Directional, Long, Slide"
    assert f"event 7: unknown event type 'Meteor' (known: {known})" in text
    assert "event 10: lane 7 is outside 0..6" in text
    assert [(type(n).__name__, n.beat) for n in chart.notes] == [("Tap", 1), ("Tap", 10), ("Slide", 11)]
    assert chart.note_count == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html>Just a moment</html>", "got an HTML page"),
        (b'[{"type": "BPM", "beat": 0, "bpm": 120}, {"type": "Sin', "not valid JSON (truncated?)"),
        (b'{"result": false}', "a chart is a JSON list of events, got dict"),
        (b'[{"type": "Single", "beat": 1, "lane": 3}]', "no valid BPM"),
        (b'[{"type": "BPM", "beat": 0, "bpm": 120}]', "no valid notes"),
        (b"", "not valid JSON"),
    ],
)
def test_unplayable_bodies_are_clear_errors(body: bytes, message: str) -> None:
    with pytest.raises(ChartError, match=re.escape(message)):
        parse_chart_bytes(body)


def test_shipped_errata_cover_the_known_mistakes() -> None:
    charts = {e.chart for e in load_errata()}
    assert charts == {"232_4", "587_3", "655_2", "686_3", "144_3", "59_*"}


def _store(library: ChartLibrary, song_id: int, difficulty: int, events: list[Any]) -> bytes:
    body = json.dumps(events).encode()
    library.store(song_id, difficulty, body)
    return body


def test_errata_patch_the_loaded_chart_never_the_file(tmp_path: Path) -> None:
    lib = ChartLibrary(tmp_path)
    events = [
        {"type": "BPM", "beat": 0, "bpm": 120},
        {"type": "Single", "beat": 34.5, "lane": 2},
        {"type": "Slide", "connections": [{"beat": 30, "lane": 1}, {"beat": 34.5, "lane": 1}]},
        {"type": "Single", "beat": 40, "lane": 4},
    ]
    body = _store(lib, 232, 4, events)
    chart = load_chart(232, 4, tmp_path)
    # Both the tap and the slide's end point at 34.5 move to 34.6.
    assert sorted(n.end_beat for n in chart.notes) == [34.6, 34.6, 40]
    assert len(chart.errata) == 1 and "232_4" in chart.errata[0]
    assert lib.path(232, 4).read_bytes() == body  # the fetched file stays as Bestdori sent it
    # Same events under another difficulty: the erratum is for 232_4 only.
    _store(lib, 232, 3, events)
    assert sorted(n.end_beat for n in load_chart(232, 3, tmp_path).notes) == [34.5, 34.5, 40]


def test_errata_match_slide_middle_points_and_any_difficulty(tmp_path: Path) -> None:
    lib = ChartLibrary(tmp_path)
    _store(
        lib,
        686,
        3,
        [
            {"type": "BPM", "beat": 0, "bpm": 180},
            {
                "type": "Slide",
                "connections": [
                    {"beat": 234, "lane": 1},
                    {"beat": 234 + 1 / 12, "lane": 2},
                    {"beat": 235, "lane": 3},
                ],
            },
        ],
    )
    slide = load_chart(686, 3, tmp_path).notes[0]
    assert isinstance(slide, Slide)
    assert [p.beat for p in slide.points] == [234, 234.2, 235]
    flicks = [{"type": "BPM", "beat": 0, "bpm": 150}] + [
        {"type": "Single", "beat": b, "lane": 3, "flick": True} for b in (135, 137, 139)
    ]
    _store(lib, 59, 2, flicks)  # the erratum for 59 names no difficulty
    taps = [n for n in load_chart(59, 2, tmp_path).notes if isinstance(n, Tap)]
    assert [(t.beat, t.flick) for t in taps] == [(135, False), (137, True), (139, False)]


def test_adding_erratum_is_not_applied_twice() -> None:
    base = [{"type": "BPM", "beat": 0, "bpm": 150}, {"type": "Single", "beat": 48, "lane": 5}]
    patched, applied = apply_errata(base, 655, 2)
    assert len(applied) == 1 and {"type": "Single", "beat": 49, "lane": 6} in patched
    assert len(base) == 2  # the input is not modified
    again, applied_again = apply_errata(patched, 655, 2)
    assert again == patched and applied_again == ()


def test_errata_that_find_nothing_are_not_reported() -> None:
    events = [{"type": "BPM", "beat": 0, "bpm": 150}, {"type": "Single", "beat": 10, "lane": 5}]
    assert apply_errata(events, 587, 3) == (events, ())


def test_bad_errata_entries_are_named() -> None:
    with pytest.raises(ValueError, match="errata entry 1"):
        parse_errata({"errata": [{"chart": "1_0", "add": {"type": "Single"}}, {"chart": "2_3", "set": {}}]})
    with pytest.raises(ValueError, match="'errata' list"):
        parse_errata([])
