"""A finished play as its history row (pure): what was played (``Pending``), what the
result screen read, and whether that result is the play's."""

from __future__ import annotations

from services.scriptor import verify
from services.scriptor.memory import Pending, Skipped
from services.scriptor.result import ResultReading
from shared import play_history as history
from shared.catalog import DIFFICULTIES, Catalog
from shared.config.scriptor import ScriptorConfig
from shared.device import DeviceInfo


def title_of(catalog: Catalog, song_id: int) -> str:
    song = catalog.get(song_id)
    return song.title if song else f"#{song_id}"


def mode_of(cfg: ScriptorConfig) -> str:
    return cfg.mode.value if cfg.mode.value != "Event" else f"Event/{cfg.event.value}"


def wrong_result(p: Pending, reading: ResultReading | None) -> tuple[ResultReading | None, str]:
    """The reading to record and why it is not this play's ("" when it is). Without a
    reading that adds up to the chart, the last two complete readings that agree stand for
    the screen: a reading that adds up to another note count (or names another song,
    difficulty or level) is a wrong song, never a cleared play."""
    last = p.other_readings[-2:]
    full = reading or (last[-1] if len(last) == 2 and last[0] == last[1] else None)
    wrong = verify.result_mismatch(
        full.counts if full else None,
        p.votes.note_count,
        full,
        {}  # a medley's screen is the three songs': its note count says enough
        if p.medley
        else {"song_id": p.song_id, "difficulty": DIFFICULTIES[p.difficulty], "level": p.level or None},
    )
    return full, wrong


def play_record(
    p: Pending,
    reading: ResultReading | None,
    cfg: ScriptorConfig,
    catalog: Catalog,
    device: DeviceInfo,
    *,
    cleared: bool,
    wrong_song: str = "",
) -> history.PlayRecord:
    song = catalog.get(p.song_id)
    return history.PlayRecord(
        song_id=p.song_id,
        title=song.title if song else f"#{p.song_id}",
        difficulty=DIFFICULTIES[p.difficulty],
        mode=mode_of(cfg),
        counts=dict(reading.counts) if reading else {},
        fast=reading.fast if reading else 0,
        slow=reading.slow if reading else 0,
        cleared=cleared,
        correction_time_us=p.offset_us,
        performance=cfg.performance.value,
        simulated=device.simulated,
        device=device.serial,
        level=song.levels.get(p.difficulty) if song else None,
        note="; ".join(
            filter(
                None,
                [
                    p.untouched,
                    p.fault,
                    f"wrong song: {wrong_song}" if wrong_song else "",
                    "" if reading or not cleared or wrong_song else "result screen unreadable",
                ],
            )
        ),
        wrong_song=bool(wrong_song),
        max_combo=reading.max_combo if reading else None,
        score=reading.score if reading else None,
        result_song_id=reading.song_id if reading else None,
        result_title=reading.title if reading else None,
        medley=[
            history.MedleySong(
                song_id=m.song_id,
                title=title_of(catalog, m.song_id),
                difficulty=DIFFICULTIES[m.difficulty],
                level=m.level,
            )
            for m in p.parts
        ]
        if p.medley
        else [],
    )


def skipped_record(
    s: Skipped, cfg: ScriptorConfig, catalog: Catalog, device: DeviceInfo
) -> history.PlayRecord:
    """A room's song the scriptor left to the others: skipped with its reason, no counts,
    never cleared (the room played it without our touches)."""
    song = catalog.get(s.song_id) if s.song_id is not None else None
    return history.PlayRecord(
        song_id=s.song_id,
        title=title_of(catalog, s.song_id) if s.song_id is not None else "unrecognised song",
        difficulty=DIFFICULTIES[s.difficulty],
        mode=mode_of(cfg),
        cleared=False,
        skipped=True,
        correction_time_us=0,  # nothing was played with it
        performance=cfg.performance.value,
        simulated=device.simulated,
        device=device.serial,
        level=song.levels.get(s.difficulty) if song else None,
        note=f"skipped: {s.why}",
    )
