"""Per-device touch offsets (``correction_time``), learned from every play. In ``shared/``:
the scriptor writes it, the gateway reads and pins it.

Kept in ``<data dir>/scriptor/offsets.json`` (written atomically), keyed by the device's
identity (``device_key``: its ADB serial; ``sim:<serial>`` for the simulated game). A device
never played starts from its kind's default (``default_offset``): a device that says its own
touch latency (the simulator does) starts from minus that; an emulator from the config's
``correction_time``. After each play the result screen's counts give the mean touch error
(``services/scriptor/play/offset_estimate.py``) and the offset moves to cancel it, by at most ``MAX_STEP_US``.
A play uses the offset read when it was prepared (the ready screen): a change made during
a song takes effect at the next one. A pinned offset (``pin`` here, through the API; or
the config's ``pin_offset`` for every device) is used as it is and never learned.

The gateway (pin) and the scriptor (learn) may both write: each write re-reads the file
first, so only a write in the same instant can be lost."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from shared.atomic_write import write_atomic

log = logging.getLogger(__name__)

MAX_STEP_US = 60_000  # one play moves the offset at most this much (a misread cannot fling it)
KEEP_MOVES = 100  # moves kept per device, for the dashboard
# A touched play all Miss says only "more than the Bad window off", not which way: the next
# plays probe around the last offset (earlier first: a device adds latency), then give up
# probing and go back to it.
PROBES_US = (-60_000, 60_000, -120_000, 120_000)  # all Miss: more than the Bad window (60 ms) off
MIN_MISSES = 10  # fewer Misses than this with no hits: nothing happened (not a probe)


class Move(BaseModel):
    """One play's effect on a device's offset."""

    ts: float = Field(default_factory=time.time)
    used_us: int  # the offset the play used
    offset_us: int  # the offset after it
    mean_error_ms: float | None = None  # None: not learned (``why``)
    song_id: int | None = None
    title: str = ""
    why: str = ""  # "learned", "pinned", "not learned: ..."


class DeviceOffset(BaseModel):
    offset_us: int
    pinned: bool = False
    source: str = ""  # where the value came from, in words
    plays: int = 0  # plays it learned from
    probe_base_us: int | None = None  # while probing (plays all Miss): the offset probed around
    probes: int = 0
    moves: list[Move] = Field(default_factory=list)


class OffsetFile(BaseModel):
    devices: dict[str, DeviceOffset] = Field(default_factory=dict)


class Estimate(Protocol):
    """A play's mean touch error (services/scriptor/play/offset_estimate.py)."""

    @property
    def mean_error_ms(self) -> float: ...

    @property
    def shift_us(self) -> int: ...


def offsets_path(data_dir: Path) -> Path:
    return Path(data_dir) / "scriptor" / "offsets.json"


def device_key(info: Any) -> str:
    """The identity offsets are kept under: the serial, ``sim:`` before a simulated one
    (the simulator's default serial is an emulator's too)."""
    serial = str(getattr(info, "serial", "") or "unknown")
    return f"sim:{serial}" if getattr(info, "simulated", False) else serial


def default_offset(info: Any, correction_time_us: int) -> tuple[int, str]:
    """A never-played device's offset and where it comes from."""
    latency = getattr(info, "touch_latency_us", None)
    if latency is not None:
        return -int(latency), f"the device's own touch latency ({int(latency) / 1000:g} ms)"
    return int(correction_time_us), "the config's correction_time"


def bounded(shift_us: int) -> int:
    return max(-MAX_STEP_US, min(MAX_STEP_US, int(shift_us)))


class OffsetStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = offsets_path(data_dir)

    def read(self) -> OffsetFile:
        """The file; a missing one is empty, an unreadable one is kept aside (renamed
        ``offsets.json.unreadable``) and said, never overwritten."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return OffsetFile()
        try:
            return OffsetFile.model_validate_json(raw)
        except (ValidationError, ValueError) as exc:
            aside = self.path.with_name(self.path.name + ".unreadable")
            self.path.replace(aside)
            log.warning(
                "%s is not an offsets file (%s): kept as %s, starting afresh", self.path, exc, aside.name
            )
            return OffsetFile()

    def _write(self, f: OffsetFile) -> None:
        write_atomic(self.path, json.dumps(f.model_dump(), indent=1, ensure_ascii=False).encode())

    def get(self, key: str) -> DeviceOffset | None:
        return self.read().devices.get(key)

    def current(self, key: str, default_us: int, source: str) -> DeviceOffset:
        """The device's offset; a device seen for the first time gets ``default_us`` (saved)."""
        f = self.read()
        if key not in f.devices:
            f.devices[key] = DeviceOffset(offset_us=default_us, source=source)
            self._write(f)
        return f.devices[key]

    def pin(self, key: str, offset_us: int | None, pinned: bool) -> DeviceOffset:
        """Set (``offset_us``) and/or pin or unpin a device's offset."""
        f = self.read()
        dev = f.devices.get(key) or DeviceOffset(offset_us=offset_us or 0, source="set by the user")
        if offset_us is not None:
            dev.moves = [*dev.moves, Move(used_us=dev.offset_us, offset_us=offset_us, why="set by the user")][
                -KEEP_MOVES:
            ]
            dev.offset_us, dev.source = int(offset_us), "set by the user"
        dev.pinned = pinned
        f.devices[key] = dev
        self._write(f)
        return dev

    def learn(
        self,
        key: str,
        used_us: int,
        est: Estimate | None,
        *,
        misses: int = 0,
        song_id: int | None = None,
        title: str = "",
        why_not: str = "",
    ) -> Move:
        """After a play that used ``used_us``: move the offset by the estimate's shift
        (bounded), unless pinned or there is nothing to learn (``why_not`` / no estimate);
        a play with no hits but ``misses`` Misses probes (``PROBES_US``)."""
        f = self.read()
        dev = f.devices.get(key) or DeviceOffset(offset_us=used_us, source="first play")
        if dev.pinned:
            move = Move(used_us=used_us, offset_us=dev.offset_us, song_id=song_id, title=title, why="pinned")
        elif dev.offset_us != used_us:
            # Set by the user during the song: that value plays next, as it is.
            why = "the offset was set during the song"
            move = Move(
                used_us=used_us,
                offset_us=dev.offset_us,
                song_id=song_id,
                title=title,
                why=f"not learned: {why}",
            )
        elif not why_not and est is None and misses >= MIN_MISSES:
            move = self._probe(dev, used_us, song_id, title)
        elif why_not or est is None:
            why = why_not or "the result says too little"
            move = Move(
                used_us=used_us,
                offset_us=dev.offset_us,
                song_id=song_id,
                title=title,
                why=f"not learned: {why}",
            )
        else:
            new = used_us + bounded(est.shift_us)
            move = Move(
                used_us=used_us,
                offset_us=new,
                mean_error_ms=round(est.mean_error_ms, 2),
                song_id=song_id,
                title=title,
                why="learned",
            )
            dev.offset_us, dev.source, dev.plays = new, "learned from the plays", dev.plays + 1
            dev.probe_base_us, dev.probes = None, 0
        dev.moves = [*dev.moves, move][-KEEP_MOVES:]
        f.devices[key] = dev
        self._write(f)
        return move

    @staticmethod
    def _probe(dev: DeviceOffset, used_us: int, song_id: int | None, title: str) -> Move:
        base = used_us if dev.probe_base_us is None else dev.probe_base_us
        if dev.probes < len(PROBES_US):
            new, why = base + PROBES_US[dev.probes], "probing: every note Missed, the direction is unknown"
            dev.probe_base_us, dev.probes = base, dev.probes + 1
        else:
            new, why = base, "probing found no hit within 120 ms: back to the last offset"
            dev.probe_base_us, dev.probes = None, 0
        dev.offset_us = new
        return Move(used_us=used_us, offset_us=new, song_id=song_id, title=title, why=why)
