"""``docs/real-game.md``, generated from the catalogue: every fact the product relies on
with its source, and the ones still assumed. ``python -m shared.catalogue.doc`` rewrites
it; ``--check`` exits 1 when the file is out of date (a test runs the same check)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from shared import screen_facts
from shared.atomic_write import write_atomic
from shared.catalogue.facts import PLAYFIELD_FACTS
from shared.catalogue.screens import SCREENS
from shared.catalogue.types import DISMISS, Source

DOC = Path(__file__).resolve().parents[2] / "docs" / "real-game.md"

_HEAD = """# The real game's screen facts (generated)

Generated from the screen catalogue (`shared/catalogue/`) by `python -m shared.catalogue.doc`;
do not edit by hand (`tests/catalogue/test_doc.py` fails when this file is out of date).
Coordinates are in the 1280x720 landscape frame; boxes are (x1, y1, x2, y2).

Sources: **first_version** = moyufang/AutoBangDream (MY), where the old assumptions come
from (it does not confirm them); **peer** = public bot projects that drive the real game
(AD EvATive7/autodori, MA Evan-Fantasque/MAautodori, CO coatcn1/MaaBanGDream,
LN lin18846443196-arch/MaaBanGDream, SSM kvarenzn/ssm, BDA ghjcfrt/BangDreamAssistant),
file and commit given; **capture** = measured on a real screenshot; **assumed** = no source.
"""


def _cell(s: object) -> str:
    return str(s).replace("|", "\\|")


def _src(s: Source) -> str:
    return f"{s.kind}: {s.ref}"  # escaped with the rest of its cell


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    h = list(header)
    out = ["| " + " | ".join(h) + " |", "|" + "---|" * len(h)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _screen_facts_sources() -> list[str]:
    """The readers' own table (``shared.screen_facts.SOURCES``), where it has one."""
    table = getattr(screen_facts, "SOURCES", None)
    if not isinstance(table, Mapping) or not table:
        return []
    lines = ["", "## Regions and pixels the readers use (`shared/screen_facts.py`)", ""]
    lines += _table(("fact", "source"), ((k, v) for k, v in sorted(table.items(), key=lambda kv: str(kv[0]))))
    return lines


def render() -> str:
    lines = [_HEAD]
    lines += ["## Screens, buttons and regions", ""]
    lines.append(
        "Each state's buttons: the box the simulator draws and reacts to, the point the scriptor "
        f"taps, the variant it belongs to, where a press leads (`{DISMISS}`: closes the dialog), "
        "the source of its position and of its box size."
    )
    for screen in SCREENS.values():
        lines += ["", f"### {screen.state}", ""]
        if len(screen.variant_sets) > 1:
            sets = ", ".join("{" + ", ".join(sorted(v)) + "}" for v in screen.variant_sets)
            lines += [f"Variant sets: {sets}", ""]
        if screen.buttons:
            lines += _table(
                ("button", "when", "box", "tap", "leads to", "position source", "box source"),
                (
                    (
                        b.name,
                        b.when or "-",
                        b.box,
                        b.tap_point,
                        ", ".join(b.to),
                        _src(b.source),
                        _src(b.box_source),
                    )
                    for b in screen.buttons
                ),
            )
        else:
            lines.append("No buttons: the game moves on by itself.")
        if screen.regions:
            lines += [
                "",
                *_table(
                    ("region read", "box", "source"),
                    ((r.name, r.box, _src(r.source)) for r in screen.regions),
                ),
            ]
    lines += ["", "## Playfield", ""]
    lines += _table(("fact", "value", "source"), ((f.name, f.value, _src(f.source)) for f in PLAYFIELD_FACTS))
    lines += _screen_facts_sources()
    assumed = sorted(
        {f"{s.state}.{b.name}" for s in SCREENS.values() for b in s.buttons if b.source.kind == "assumed"}
        | {f"{s.state} {r.name}" for s in SCREENS.values() for r in s.regions if r.source.kind == "assumed"}
        | {f"playfield: {f.name}" for f in PLAYFIELD_FACTS if f.source.kind == "assumed"}
    )
    lines += ["", "## Still assumed (no source)", ""]
    lines += [f"- {a}" for a in assumed] or ["- nothing"]
    lines.append(
        "- every box size whose box source says `assumed` (the tap point has a source, the extent not)"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--check", action="store_true", help="exit 1 when docs/real-game.md is out of date")
    args = p.parse_args(argv)
    text = render()
    if args.check:
        ok = DOC.is_file() and DOC.read_text(encoding="utf-8") == text
        print(f"{DOC}: {'up to date' if ok else 'out of date: run python -m shared.catalogue.doc'}")
        return 0 if ok else 1
    write_atomic(DOC, text.encode("utf-8"))
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
