"""The catalogue's small types: where a fact comes from, a button, a region read, a screen.
Coordinates are in the 1280x720 landscape frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["first_version", "peer", "capture", "assumed"]


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the first version of this project (``MY``, which is the
    origin of the old assumptions, not a confirmation), a peer project and file, a real
    capture, or nothing (``assumed``)."""

    kind: SourceKind
    ref: str

    def __post_init__(self) -> None:
        if not self.ref.strip():
            raise ValueError(f"a {self.kind} source needs a reference")

    def __str__(self) -> str:
        return f"{self.kind}: {self.ref}"


# The extent of a button only its tap point is known for.
ASSUMED_BOX = Source("assumed", "box size: no source, sized to the tap point")

DISMISS = "dismiss"  # a button's ``to``: closes the dialog, back to the screen beneath


@dataclass(frozen=True)
class Button:
    """A button by name: its hit box (centre ``x, y``, full ``w, h``), the point a tap aims
    at (the centre unless ``tap`` says otherwise), the variant it belongs to (``when``,
    "" = always shown) and the states a press leads to in the simulator (``to``, several
    where the flow decides; the state itself for a button that changes something on it)."""

    name: str
    x: int
    y: int
    w: int
    h: int
    source: Source
    to: tuple[str, ...]
    when: str = ""
    tap: tuple[int, int] | None = None
    box_source: Source = ASSUMED_BOX

    def __post_init__(self) -> None:
        tx, ty = self.tap_point
        if not self.hit(tx, ty):
            raise ValueError(f"button {self.name}: tap point {self.tap_point} outside its box {self.box}")

    @property
    def tap_point(self) -> tuple[int, int]:
        return self.tap if self.tap is not None else (self.x, self.y)

    @property
    def box(self) -> tuple[int, int, int, int]:
        """x1, y1, x2, y2 (inclusive)."""
        return (self.x - self.w // 2, self.y - self.h // 2, self.x + self.w // 2, self.y + self.h // 2)

    def hit(self, x: float, y: float) -> bool:
        return abs(x - self.x) <= self.w / 2 and abs(y - self.y) <= self.h / 2


@dataclass(frozen=True)
class Region:
    """A place the product reads: a box (x1, y1, x2, y2) or a pixel (x1 == x2, y1 == y2)."""

    name: str
    box: tuple[int, int, int, int]
    source: Source


@dataclass(frozen=True)
class Screen:
    """One of the 34 states: its buttons (all variants), the variant sets the game shows
    together, the regions read on it, and the state it is a dialog over (``parent``)."""

    state: str
    buttons: tuple[Button, ...]
    variant_sets: tuple[frozenset[str], ...] = (frozenset(),)
    regions: tuple[Region, ...] = ()
    parent: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def shown(self, variants: frozenset[str] = frozenset()) -> tuple[Button, ...]:
        """The buttons shown in ``variants`` (buttons without ``when`` are always there)."""
        return tuple(b for b in self.buttons if not b.when or b.when in variants)
