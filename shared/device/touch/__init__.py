"""Multitouch clients: ``open_touch(url) -> TouchChannel`` for ``minitouch://HOST:PORT``
(minitouch and MaaTouch) and ``bangcheater://HOST:PORT``. Coordinates are always the
1280x720 landscape frame's; each backend scales and rotates them to its injector."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from shared.device.touch.bangcheater import BangcheaterChannel, open_bangcheater
from shared.device.touch.channel import TouchChannel, TouchError
from shared.device.touch.minitouch import MinitouchChannel, open_minitouch
from shared.device.touch.rules import ContactRules, ProtocolError
from shared.device.touch.space import ROTATIONS, Header, HeaderError, TouchSpace, parse_header
from shared.playfield import HEIGHT, WIDTH

SCHEMES = ("minitouch", "bangcheater")

__all__ = [
    "ROTATIONS",
    "SCHEMES",
    "BangcheaterChannel",
    "ContactRules",
    "Header",
    "HeaderError",
    "MinitouchChannel",
    "ProtocolError",
    "TouchChannel",
    "TouchError",
    "TouchSpace",
    "open_touch",
    "parse_header",
    "parse_touch_url",
    "touch_display",
]


def parse_touch_url(url: str) -> tuple[str, str, int, int]:
    """``scheme://HOST:PORT[?rotation=90]`` -> (scheme, host, port, rotation)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise TouchError(f"touch URL {url!r}: scheme must be one of {', '.join(s + '://' for s in SCHEMES)}")
    try:
        port = parts.port
    except ValueError as exc:
        raise TouchError(f"touch URL {url!r}: the port is not a number in 1..65535") from exc
    if not parts.hostname or port is None:
        raise TouchError(f"touch URL {url!r}: expected {parts.scheme}://HOST:PORT")
    rotation_arg = parse_qs(parts.query).get("rotation", ["0"])[-1]
    if rotation_arg not in {str(r) for r in ROTATIONS}:
        raise TouchError(f"touch URL {url!r}: rotation must be one of {ROTATIONS}")
    return parts.scheme, parts.hostname, port, int(rotation_arg)


def touch_display(url: str) -> tuple[int, int]:
    """``?display=WxH``: the display's pixels, for an injector that takes display pixels
    (bangcheater); 1280x720 when the URL does not say."""
    arg = parse_qs(urlsplit(url).query).get("display", [f"{WIDTH}x{HEIGHT}"])[-1]
    try:
        w, h = (int(v) for v in arg.lower().split("x"))
    except ValueError as exc:
        raise TouchError(f"touch URL {url!r}: display must be WIDTHxHEIGHT, not {arg!r}") from exc
    if w < 1 or h < 1:
        raise TouchError(f"touch URL {url!r}: display {arg!r} has no area")
    return w, h


def open_touch(url: str, rotation: int | None = None, timeout_s: float = 3.0) -> TouchChannel:
    """Connect to the injector ``url`` names (``rotation`` overrides the URL's
    ``?rotation=``). Raises ``TouchError`` with one readable line when it cannot."""
    scheme, host, port, url_rotation = parse_touch_url(url)
    rot = url_rotation if rotation is None else rotation
    if rot not in ROTATIONS:
        raise TouchError(f"rotation {rot} is not one of {ROTATIONS}")
    if scheme == "bangcheater":
        return open_bangcheater(url, host, port, rot, timeout_s, touch_display(url))
    return open_minitouch(url, host, port, rot, timeout_s)
