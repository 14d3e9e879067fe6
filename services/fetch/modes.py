"""The fetch modes that talk to Bestdori: FetchSongHeader, FetchOne and FetchLack.

Every body is validated before it is written, and written atomically, so a failed or
stopped fetch leaves the catalog and the charts as they were. FetchLack is resumable for
free: it works out what is missing from the library each time it starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.fetch.client import BestdoriClient, BestdoriError, NotFound
from shared.atomic_write import write_atomic
from shared.catalog import (
    Catalog,
    Song,
    catalog_dir,
    difficulty_name,
    load_catalog,
    parse_songs_all,
    songs_all_path,
    summarise,
)
from shared.chart import Chart, ChartError, decode_chart
from shared.chart.library import ChartLibrary
from shared.config.fetch import Difficulty, FetchConfig
from shared.live_state import FetchLive
from shared.task_context import TaskContext, TaskError

# A new song list smaller than this share of the one it replaces is refused: it is far more
# likely a trimmed or broken response than Bestdori deleting half its songs.
MIN_KEEP_SHARE = 0.5
# FetchLack gives up after this many failures in a row (Bestdori down, or blocking us).
MAX_FAILURES_IN_A_ROW = 5


def fetch_song_header(ctx: TaskContext[FetchConfig], client: BestdoriClient) -> Catalog:
    """Fetch ``songs/all.5.json``, check it, keep it raw plus a derived summary."""
    ctx.log("fetching the song list from Bestdori")
    body = client.songs_all()
    try:
        songs = parse_songs_all(decode_chart(body, "a song list"))
    except ValueError as exc:  # ChartError is a ValueError too
        raise BestdoriError(f"song list not replaced: {exc}") from exc
    path = songs_all_path(ctx.data_dir)
    old: dict[int, Song] = {}
    if path.is_file():
        try:
            old = load_catalog(ctx.data_dir).songs
        except ValueError as exc:
            ctx.log(f"the old song list is unreadable and will be replaced: {exc}", "warning")
    if old and len(songs) < MIN_KEEP_SHARE * len(old):
        raise BestdoriError(
            f"song list not replaced: Bestdori sent {len(songs)} songs, the library's list has "
            f"{len(old)}; this looks like a broken response"
        )
    write_atomic(path, body)
    write_atomic(
        catalog_dir(ctx.data_dir) / "catalog.json",
        json.dumps(summarise(songs), ensure_ascii=False, indent=1).encode("utf-8"),
    )
    new = sorted(set(songs) - set(old)) if old else []
    more = [i for i in songs if i in old and set(songs[i].levels) - set(old[i].levels)]
    charts = sum(len(s.levels) for s in songs.values())
    msg = f"song list saved: {len(songs)} songs, {charts} charts"
    if old:
        msg += f"; {len(new)} new songs, {len(more)} songs with new difficulties"
        if new:
            shown = ", ".join(f"{i} {songs[i].title}" for i in new[:10])
            msg += f" ({shown}{' ...' if len(new) > 10 else ''})"
    ctx.log(msg)
    return Catalog(songs, path, shipped=False)  # already parsed: no need to read the file back


def _not_found_body(raw: Any) -> bool:
    # Bestdori answers some misses with 200 and {"result": false}.
    return isinstance(raw, dict) and raw.get("result") is False


def fetch_chart(client: BestdoriClient, library: ChartLibrary, song: Song, difficulty: int) -> Chart:
    """Fetch one chart, validate it, store it. Raises ``NotFound``, ``BestdoriError`` or
    ``ChartError``; the library is untouched unless the chart was good."""
    body = client.chart(song.id, difficulty)
    label = f"song {song.id} {difficulty_name(difficulty)}"
    try:
        raw = decode_chart(body)
    except ChartError as exc:
        raise ChartError(f"{label}: {exc}") from exc
    if _not_found_body(raw):
        raise NotFound(f"{label}: Bestdori has no such chart")
    try:
        return library.store(song.id, difficulty, body)
    except ChartError as exc:
        raise ChartError(f"{label}: {exc}") from exc


def describe(chart: Chart) -> str:
    text = f"{chart.note_count} notes, {chart.duration_s:.1f} s, {chart.form} form"
    if chart.issues:
        text += f", {len(chart.issues)} malformed events skipped (first: {chart.issues[0]})"
    return text


def fetch_one(
    ctx: TaskContext[FetchConfig], client: BestdoriClient, song_id: int, level: Difficulty
) -> Chart:
    catalog = load_catalog(ctx.data_dir)
    song = catalog.get(song_id)
    if song is None:
        raise TaskError(
            f"song_id {song_id} is not in the catalog ({len(catalog)} songs); "
            "run FetchSongHeader first if it is a new song"
        )
    if level.number not in song.levels:
        have = ", ".join(difficulty_name(d) for d in sorted(song.levels)) or "none"
        raise TaskError(f"level: song {song_id} ({song.title}) has no {level.value} chart (has: {have})")
    library = ChartLibrary(ctx.data_dir)
    ctx.progress(0, 1, message=f"{song.id} {song.title} [{level.value}]")
    try:
        chart = fetch_chart(client, library, song, level.number)
    except (BestdoriError, ChartError) as exc:
        ctx.log(f"{exc}; the library is unchanged", "error")
        raise
    ctx.progress(1, 1, message=f"{song.id} {song.title} [{level.value}]")
    ctx.log(f"fetched {song.id} {song.title} [{level.value}]: {describe(chart)}")
    return chart


@dataclass
class LackReport:
    total: int = 0
    fetched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # Bestdori has no such chart
    failed: list[str] = field(default_factory=list)  # errors, with the reason


def lacking(catalog: Catalog, library: ChartLibrary) -> list[tuple[Song, int]]:
    """Every (song, difficulty) the catalog lists and the library has no file for."""
    have = library.index()
    return [(s, d) for s in catalog for d in sorted(s.levels) if d not in have.get(s.id, set())]


def fetch_lack(ctx: TaskContext[FetchConfig], client: BestdoriClient) -> LackReport:
    catalog = load_catalog(ctx.data_dir)
    library = ChartLibrary(ctx.data_dir)
    todo = lacking(catalog, library)
    listed = sum(len(s.levels) for s in catalog)
    source = "shipped song list" if catalog.shipped else "song list"
    ctx.log(f"{source}: {listed} charts; the library lacks {len(todo)}")
    report = LackReport(total=len(todo))
    in_a_row = 0
    try:
        for n, (song, d) in enumerate(todo):
            ctx.checkpoint()
            label = f"{song.id} {song.title} [{difficulty_name(d)}]"
            ctx.progress(n, len(todo), message=label)
            try:
                chart = fetch_chart(client, library, song, d)
            except NotFound as exc:
                report.missing.append(label)
                ctx.log(f"[{n + 1}/{len(todo)}] {exc}; skipped", "warning")
                in_a_row = 0
                continue
            except (BestdoriError, ChartError) as exc:
                report.failed.append(f"{label}: {exc}")
                ctx.log(f"[{n + 1}/{len(todo)}] {exc}; skipped", "warning")
                in_a_row += 1
                if in_a_row >= MAX_FAILURES_IN_A_ROW:
                    raise BestdoriError(
                        f"{in_a_row} charts failed in a row (last: {exc}); Bestdori looks unreachable. "
                        "Charts fetched so far are kept; run FetchLack again to resume"
                    ) from exc
                continue
            in_a_row = 0
            report.fetched.append(label)
            ctx.log(f"[{n + 1}/{len(todo)}] {label}: {describe(chart)}")
        ctx.progress(len(todo), len(todo), message="done")
    finally:
        ctx.log(
            f"FetchLack: fetched {len(report.fetched)} of {report.total}, "
            f"{len(report.missing)} not on Bestdori, {len(report.failed)} failed"
        )
        ctx.state(
            FetchLive(fetched=len(report.fetched), missing=len(report.missing), failed=len(report.failed))
        )
    if report.failed and not report.fetched:
        raise BestdoriError(f"every fetch failed; first: {report.failed[0]}")
    return report
