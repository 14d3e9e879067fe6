"""SpecialChar: how song titles shave for matching, and which titles collide.

Shaving (``shared.catalog.shave``) keeps letters, digits and marks. This report shows the
titles it changes beyond case and spaces, the titles of different songs that shave to the
same text (a title match cannot tell them apart), and titles that shave to nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from shared.catalog import SERVERS, Catalog, folded, shave, shave_keeps


@dataclass(frozen=True)
class TitleRow:
    song_id: int
    servers: tuple[str, ...]  # servers that use this exact title
    title: str
    shaved: str

    @property
    def removed(self) -> str:
        """The characters shaving dropped (other than spaces), each once, in order."""
        out: list[str] = []
        for ch in folded(self.title):
            if not shave_keeps(ch) and not ch.isspace() and ch not in out:
                out.append(ch)
        return "".join(out)


@dataclass(frozen=True)
class Collision:
    shaved: str
    rows: tuple[TitleRow, ...]  # from two or more songs


def title_rows(catalog: Catalog) -> list[TitleRow]:
    rows: list[TitleRow] = []
    for song in catalog:
        by_title: dict[str, list[str]] = {}
        for server, title in zip(SERVERS, song.titles, strict=False):
            if title:
                by_title.setdefault(title, []).append(server)
        rows.extend(TitleRow(song.id, tuple(s), t, shave(t)) for t, s in by_title.items())
    return rows


def collisions(rows: Sequence[TitleRow]) -> list[Collision]:
    groups: dict[str, list[TitleRow]] = {}
    for r in rows:
        if r.shaved:
            groups.setdefault(r.shaved, []).append(r)
    return [Collision(k, tuple(v)) for k, v in sorted(groups.items()) if len({r.song_id for r in v}) > 1]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table padded for monospace fonts (CJK characters count double)."""
    widths = [max([_width(h), *(_width(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), "-+-".join("-" * w for w in widths), *(line(r) for r in rows)])


def report(catalog: Catalog) -> tuple[str, dict[str, int]]:
    """The readable report and its headline numbers."""
    rows = title_rows(catalog)
    changed = [r for r in rows if r.removed]
    empty = [r for r in rows if not r.shaved]
    clashes = collisions(rows)
    parts = [
        f"SpecialChar: {len(rows)} distinct titles of {len(catalog)} songs; shaving removes "
        f"punctuation or symbols from {len(changed)}; {len(clashes)} collisions; "
        f"{len(empty)} titles shave to nothing",
        "",
        "Collisions (different songs, same shaved title):",
        render_table(
            ["shaved", "song", "servers", "title"],
            [[c.shaved, str(r.song_id), ",".join(r.servers), r.title] for c in clashes for r in c.rows],
        )
        if clashes
        else "(none)",
        "",
        "Titles that shave to nothing (cannot be matched by title):",
        render_table(
            ["song", "servers", "title"], [[str(r.song_id), ",".join(r.servers), r.title] for r in empty]
        )
        if empty
        else "(none)",
        "",
        "How titles shave (only those that lose punctuation or symbols):",
        render_table(
            ["song", "servers", "removed", "title", "shaved"],
            [[str(r.song_id), ",".join(r.servers), r.removed, r.title, r.shaved] for r in changed],
        ),
    ]
    numbers = {"titles": len(rows), "changed": len(changed), "collisions": len(clashes), "empty": len(empty)}
    return "\n".join(parts), numbers
