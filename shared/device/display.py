"""The device's display: its size and rotation as Android reports them, and the scaling of
every point of the 1280x720 frame to it (pure).

The product's coordinates are the 1280x720 landscape frame's; an emulator at 1600x900 or
1920x1080 shows the same game scaled, so a point scales by the same factor on both axes.
A display that is not 16:9 shows the game letterboxed or stretched (its buttons are not
where the frame's are) and is refused with what to set instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.device.errors import UnsupportedDisplay
from shared.playfield import HEIGHT, WIDTH

# One shell round trip on connecting: the display's size (natural orientation; an override
# set with ``wm size WxH`` wins) and its rotation (``SurfaceOrientation`` of the touch
# screen; ``mCurrentRotation`` of the window manager on newer Android).
PROBE_COMMAND = (
    "wm size; dumpsys input | grep -E 'SurfaceOrientation'; "
    "dumpsys window displays | grep -E 'mCurrentRotation'"
)
_SIZE = re.compile(r"(Physical|Override) size:\s*(\d+)\s*x\s*(\d+)")
_ORIENTATION = re.compile(r"SurfaceOrientation:\s*(\d)")
_ROTATION = re.compile(r"mCurrentRotation=(?:ROTATION_)?(\d+)")
# 16:9 within 1% (1366x768 is 16:9 to the pixel row); 16:10, 4:3, 5:4 and 20:9 are not.
ASPECT_TOLERANCE = 0.01
ADVICE = (
    "set the emulator's resolution to a 16:9 one (1280x720, 1600x900 or 1920x1080; MuMu: "
    "Settings > Display, LDPlayer: Settings > Advanced), restart it and connect again"
)


@dataclass(frozen=True)
class Display:
    """The display as the game sees it: landscape ``width`` x ``height`` pixels;
    ``rotation`` (0/90/180/270) of the display against the panel's natural orientation,
    which minitouch's touch space follows; ``source`` says how it was learnt."""

    width: int = WIDTH
    height: int = HEIGHT
    rotation: int = 0
    source: str = "assumed"

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    def scale(self, x: float, y: float) -> tuple[int, int]:
        """A point of the 1280x720 frame in display pixels."""
        return round(x * self.width / WIDTH), round(y * self.height / HEIGHT)

    def check(self, serial: str) -> Display:
        """This display when it is 16:9; ``UnsupportedDisplay`` naming its size else."""
        ratio = self.width / self.height
        if abs(ratio - WIDTH / HEIGHT) > ASPECT_TOLERANCE * WIDTH / HEIGHT:
            raise UnsupportedDisplay(
                f"the display of {serial} is {self.size} ({_aspect(self.width, self.height)}), not 16:9: "
                f"the game's buttons would not be where the product taps; {ADVICE}"
            )
        return self


def _aspect(w: int, h: int) -> str:
    from math import gcd

    g = gcd(w, h)
    return f"{w // g}:{h // g}"


def parse_probe(text: str) -> Display | None:
    """The answer to ``PROBE_COMMAND`` as a landscape ``Display``; None when it names no
    size (an old shell, a fake server)."""
    sizes = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in _SIZE.finditer(text)}
    size = sizes.get("Override") or sizes.get("Physical")
    if size is None or min(size) <= 0:
        return None
    rotation = 0
    if m := _ORIENTATION.search(text):
        rotation = int(m.group(1)) % 4 * 90
    elif m := _ROTATION.search(text):
        value = int(m.group(1))
        rotation = value if value in (0, 90, 180, 270) else value % 4 * 90
    w, h = size
    # The game runs landscape: the long side is its width whichever way the panel stands.
    return Display(max(w, h), min(w, h), rotation, "wm size")


def from_frame(width: int, height: int) -> Display:
    """The display learnt from a captured frame's size (when ``wm size`` said nothing)."""
    return Display(max(width, height), min(width, height), 0, "the frame")
