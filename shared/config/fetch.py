from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared.config.base import ModuleConfig, ui


class FetchMode(StrEnum):
    FetchOne = "FetchOne"
    FetchLack = "FetchLack"
    FetchSongHeader = "FetchSongHeader"
    SpecialChar = "SpecialChar"


class Difficulty(StrEnum):
    """Bestdori difficulty names; ``number`` is the chart file's ``_<n>`` suffix."""

    Easy = "Easy"
    Normal = "Normal"
    Hard = "Hard"
    Expert = "Expert"
    Special = "Special"

    @property
    def number(self) -> int:
        return list(Difficulty).index(self)

    @classmethod
    def from_number(cls, number: int) -> Difficulty:
        return list(cls)[number]


class FetchConfig(ModuleConfig):
    fetch_mode: FetchMode = Field(FetchMode.FetchLack, json_schema_extra=ui("one-of", live=False))
    # FetchOne only: which chart (checked against the catalog when the task starts).
    song_id: int = Field(
        1,
        ge=1,
        json_schema_extra=ui("number", live=False, visible_when={"fetch_mode": ["FetchOne"]}),
    )
    level: Difficulty = Field(
        Difficulty.Expert,
        json_schema_extra=ui("one-of", live=False, visible_when={"fetch_mode": ["FetchOne"]}),
    )
