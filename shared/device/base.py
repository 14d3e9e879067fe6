"""The one interface every device offers (a real emulator over ADB, the simulator over the
same ADB path, or a folder of pictures), and what it says about itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.device.frame import Frame

LATENCY_PROP = "autobang.touch_latency_us"  # a device that knows its touch latency says it here

if TYPE_CHECKING:
    # Owned by the play engine's developer (the multitouch clients); typed loosely until then.
    from shared.device.touch import TouchChannel


@dataclass(frozen=True)
class DeviceInfo:
    spec: str  # the AUTOBANG_DEVICE value it was built from
    serial: str  # the ADB serial ("127.0.0.1:7555"), or "pictures:<folder>"
    simulated: bool  # the simulated game (or pictures), not a real emulator
    capture: str  # png | raw | stream | pictures
    touch: str  # input | bangcheater | minitouch (what touch() gives; input until asked)
    detail: str = ""  # plain words: emulator version, ADB server, how capture was chosen
    emulator: str = ""  # "MuMu 6/X", "MuMu 12 (instance 0)", "" when not known
    # The device's own touch latency when it says it (the simulator: getprop
    # LATENCY_PROP); None for an emulator, whose offset starts from the config's.
    touch_latency_us: int | None = None
    display: str = ""  # "1920x1080" once learnt (taps and touches are scaled to it)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Device(Protocol):
    """Coordinates are always in the 1280x720 landscape frame."""

    @property
    def info(self) -> DeviceInfo: ...

    def screencap(self) -> Frame:
        """The current screen as a 720x1280 BGR image; ``BadFrame`` for a black or
        undecodable capture (never returned as a screen)."""
        ...

    def tap(self, x: int, y: int) -> None: ...

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 200) -> None: ...

    def back(self) -> None:
        """The Android BACK key."""
        ...

    def start_game(self) -> None: ...

    def stop_game(self) -> None: ...

    def foreground_app(self) -> str:
        """The package in front ("" when none is known): the game's, or a foreign app's."""
        ...

    def touch(self) -> TouchChannel:
        """A multitouch channel for play (bangcheater or minitouch through adb forward)."""
        ...

    def touch_url(self) -> str:
        """``bangcheater://HOST:PORT`` / ``minitouch://HOST:PORT`` for another process."""
        ...

    def close(self) -> None: ...
