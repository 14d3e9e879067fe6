"""Scriptor config: every name, default and range of docs/domain.md section 3."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from shared.config.base import ModuleConfig, ui
from shared.screens import UI_STATES
from shared.weight_titles import WEIGHT_TITLES

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class Mode(StrEnum):
    Free = "Free"
    Collaborate = "Collaborate"
    Stage = "Stage"
    Event = "Event"
    Story = "Story"


class Event(StrEnum):
    Compete = "Compete"
    Team = "Team"
    Tour = "Tour"
    Challenge = "Challenge"
    Trial = "Trial"
    Mission = "Mission"


class Choose(StrEnum):
    Loop = "Loop"
    Random = "Random"
    ListUp = "ListUp"
    ListDown = "ListDown"
    No = "No"


class Level(StrEnum):
    Special = "Special"
    Expert = "Expert"
    Hard = "Hard"
    Normal = "Normal"
    Easy = "Easy"


class AskUnplaced(StrEnum):
    """A screen no classifier places: ask the user (the frame joins the screen gallery) or
    recover (BACK, restart). Auto asks while the recent frames are mostly unplaced (a game
    the gallery does not cover yet) and recovers once it does."""

    Auto = "Auto"
    Ask = "Ask"
    Recover = "Recover"


class Performance(StrEnum):
    AllPerfect = "AllPerfect"
    FullCombo = "FullCombo"
    DropLastFC = "DropLastFC"
    Custom = "Custom"
    DropLastCustom = "DropLastCustom"


LOBBY_EVENTS = (Event.Tour, Event.Compete, Event.Team)

# (title, Perfect, Great, Good, Bad, Miss): the user edits these as tuples.
WeightTuple = tuple[str, float, float, float, float, float]
DEFAULT_WEIGHTS: list[WeightTuple] = [(name, *w) for name, w in WEIGHT_TITLES.items()]


def _states_field(default: list[str]) -> Any:
    return Field(
        default,
        json_schema_extra=ui("many-of", options_from="/api/scriptor/available-states"),
    )


class ScriptorConfig(ModuleConfig):
    dilation_time: int = Field(1_000_000, ge=1_000_000, le=1_005_000, json_schema_extra=ui("number"))
    # An emulator's first offset; after that each device's own, learned from every play
    # (shared/device_offsets.py), unless ``pin_offset``: then this, always.
    correction_time: int = Field(-45_000, ge=INT32_MIN, le=INT32_MAX, json_schema_extra=ui("number"))
    pin_offset: bool = Field(False, json_schema_extra=ui("toggle"))
    mumu_port: int = Field(7555, ge=1024, le=65535, json_schema_extra=ui("number", live=False))
    server_port: int = Field(31415, ge=1024, le=65535, json_schema_extra=ui("number", live=False))
    bangcheater_port: int = Field(12345, ge=1024, le=65535, json_schema_extra=ui("number", live=False))
    is_no_action: bool = Field(False, json_schema_extra=ui("toggle"))
    is_caliboration: bool = Field(False, json_schema_extra=ui("toggle"))
    play_one_song_id: int = Field(
        655, ge=1, json_schema_extra=ui("number", check="/api/scriptor/check-song/{value}")
    )
    is_play_one_song: bool = Field(False, json_schema_extra=ui("toggle"))
    is_restart_play: bool = Field(True, json_schema_extra=ui("toggle"))
    is_checking_3d: bool = Field(True, json_schema_extra=ui("toggle"))
    is_repeat: bool = Field(True, json_schema_extra=ui("toggle"))
    MAX_SAME_STATE: int = Field(100, ge=10, le=1000, json_schema_extra=ui("number"))
    MAX_RE_READY: int = Field(10, ge=0, le=30, json_schema_extra=ui("number"))
    is_allow_save: bool = Field(True, json_schema_extra=ui("toggle"))
    ask_unplaced: AskUnplaced = Field(AskUnplaced.Auto, json_schema_extra=ui("one-of"))
    # an unanswered question closes after this long and the loop recovers instead
    ask_timeout_s: int = Field(120, ge=10, le=3600, json_schema_extra=ui("number"))
    protected_state: list[str] = _states_field(["join_wait", "ready_done"])
    special_state_list: list[str] = _states_field(["ready"])
    mode: Mode = Field(Mode.Event, json_schema_extra=ui("one-of"))
    event: Event = Field(Event.Compete, json_schema_extra=ui("one-of"))
    choose: Choose = Field(Choose.Loop, json_schema_extra=ui("one-of"))
    level: Level = Field(Level.Expert, json_schema_extra=ui("one-of"))
    performance: Performance = Field(Performance.AllPerfect, json_schema_extra=ui("one-of"))
    weight_title: str = Field(
        "skilled", json_schema_extra=ui("one-of", options_from="/api/scriptor/weight-titles")
    )
    weights: list[WeightTuple] = Field(
        default_factory=lambda: list(DEFAULT_WEIGHTS),
        json_schema_extra=ui("tuple", labels=["title", "Perfect", "Great", "Good", "Bad", "Miss"]),
    )
    lobby: bool = Field(
        True,
        json_schema_extra=ui("toggle", visible_when={"event": [e.value for e in LOBBY_EVENTS]}),
    )

    @field_validator("protected_state", "special_state_list")
    @classmethod
    def _known_states(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in UI_STATES]
        if unknown:
            raise ValueError(
                f"unknown state(s) {unknown}: not among the {len(UI_STATES)} screen states "
                "(GET /api/scriptor/available-states)"
            )
        return list(dict.fromkeys(value))  # keep order, drop repeats

    @field_validator("weights")
    @classmethod
    def _valid_weights(cls, value: list[WeightTuple]) -> list[WeightTuple]:
        names = [w[0] for w in value]
        if len(set(names)) != len(names):
            raise ValueError("weight titles must be unique")
        for name, *probs in value:
            if not name.strip():
                raise ValueError("a weight title needs a name")
            if any(p < 0 or p > 1 for p in probs) or sum(probs) <= 0:
                raise ValueError(f"weights of {name!r} must be in 0..1 and not all zero")
        return value

    @model_validator(mode="after")
    def _title_exists(self) -> ScriptorConfig:
        if self.weight_title not in {w[0] for w in self.weights}:
            raise ValueError(f"weight_title {self.weight_title!r} is not one of the weight titles")
        return self

    # Derived rules (docs/domain.md section 3).
    @property
    def lobby_applies(self) -> bool:
        return self.mode is Mode.Event and self.event in LOBBY_EVENTS

    @property
    def effective_lobby(self) -> bool:
        return self.lobby and self.lobby_applies

    @property
    def fixed_difficulty(self) -> bool:
        return self.mode in (Mode.Free, Mode.Stage) or (
            self.mode is Mode.Event and self.event in (Event.Challenge, Event.Tour)
        )

    @property
    def multiplayer(self) -> bool:
        return self.mode is Mode.Collaborate or (
            self.mode is Mode.Event and self.event in (Event.Compete, Event.Team, Event.Mission, Event.Trial)
        )

    def weight_of(self, title: str) -> tuple[float, float, float, float, float]:
        for name, *probs in self.weights:
            if name == title:
                total = sum(probs)
                p, g, gd, b, m = (x / total for x in probs)
                return (p, g, gd, b, m)
        raise KeyError(title)

    @classmethod
    def from_legacy(cls, legacy: dict[str, Any]) -> ScriptorConfig:
        """Import a config saved by the first version (``diff`` int for ``level``,
        ``custom_performance`` for ``weight_title``, ``record_state`` for
        ``special_state_list``, enum values as ``"Mode.Event"``)."""

        def enum_name(v: Any) -> Any:
            return v.split(".", 1)[1] if isinstance(v, str) and "." in v else v

        run = dict(legacy.get("run_config", {}))
        data: dict[str, Any] = {k: v for k, v in run.items() if k in cls.model_fields}
        if "record_state" in run:
            data["special_state_list"] = run["record_state"]
        for key in ("mode", "event", "choose", "performance"):
            if key in legacy:
                data[key] = enum_name(legacy[key])
        if "diff" in legacy:
            # First version: difficulty index 0..4 = Easy..Special.
            order = [Level.Easy, Level.Normal, Level.Hard, Level.Expert, Level.Special]
            data["level"] = order[int(legacy["diff"])]
        if "custom_performance" in legacy:
            data["weight_title"] = legacy["custom_performance"]
        if isinstance(legacy.get("weights_map"), dict):
            data["weights"] = [(k, *v) for k, v in legacy["weights_map"].items()]
        extra = legacy.get("additional_config") or {}
        if "lobby" in extra:
            data["lobby"] = bool(extra["lobby"])
        return cls.model_validate(data)
