"""From the 1280x720 landscape frame to an injector's touch space.

minitouch reports its panel's own range in its header (often not the display size, and
in the panel's natural, usually portrait, orientation); MaaTouch reports display pixels.
``rotation`` is the display's rotation against the panel's natural orientation, as
Android counts it (90: the device turned counter-clockwise, its top edge on the left, so
the frame's left edge is the panel's top edge)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.playfield import HEIGHT, WIDTH

ROTATIONS = (0, 90, 180, 270)


class HeaderError(ValueError):
    """An injector's banner that is not ``v``/``^``/``$`` lines."""


@dataclass(frozen=True)
class Header:
    max_contacts: int
    max_x: int
    max_y: int
    max_pressure: int
    version: int | None = None  # minitouch sends one, MaaTouch does not
    pid: int | None = None


def parse_header(lines: list[str]) -> Header:
    """``v <version>`` (optional), ``^ <max-contacts> <max-x> <max-y> <max-pressure>``,
    ``$ <pid>``: the header minitouch and MaaTouch write on connect."""
    version: int | None = None
    limits: tuple[int, int, int, int] | None = None
    pid: int | None = None
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "v" and len(parts) == 2:
                version = int(parts[1])
            elif parts[0] == "^" and len(parts) == 5:
                a, b, c, d = (int(p) for p in parts[1:])
                limits = (a, b, c, d)
            elif parts[0] == "$" and len(parts) == 2:
                pid = int(parts[1])
            else:
                raise HeaderError(f"unexpected header line {line!r}")
        except ValueError as exc:
            if isinstance(exc, HeaderError):
                raise
            raise HeaderError(f"header line {line!r} has a field that is not a whole number") from exc
    if limits is None:
        raise HeaderError(f"no '^ max-contacts max-x max-y max-pressure' line in {lines!r}")
    contacts, max_x, max_y, pressure = limits
    if contacts < 1 or max_x < 1 or max_y < 1 or pressure < 0:
        raise HeaderError(f"header limits {limits} are not usable (contacts and ranges must be >= 1)")
    return Header(contacts, max_x, max_y, pressure, version, pid)


@dataclass(frozen=True)
class TouchSpace:
    max_x: int
    max_y: int
    rotation: int = 0

    def __post_init__(self) -> None:
        if self.rotation not in ROTATIONS:
            raise ValueError(f"rotation {self.rotation} is not one of {ROTATIONS}")

    def map(self, x: float, y: float) -> tuple[int, int]:
        """A point of the landscape frame in touch coordinates (clamped to the range)."""
        nx = min(max(x / WIDTH, 0.0), 1.0)
        ny = min(max(y / HEIGHT, 0.0), 1.0)
        if self.rotation == 90:
            nx, ny = 1.0 - ny, nx
        elif self.rotation == 180:
            nx, ny = 1.0 - nx, 1.0 - ny
        elif self.rotation == 270:
            nx, ny = ny, 1.0 - nx
        return round(nx * self.max_x), round(ny * self.max_y)


IDENTITY = TouchSpace(WIDTH, HEIGHT, 0)
