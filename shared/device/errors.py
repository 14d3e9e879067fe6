"""What can go wrong between the product and the game's device, in words a user can act on.

Every error is a ``DeviceError``, so a task can catch the family; the subclasses say which
fix applies (start the emulator, accept the ADB prompt, look at the capture backend).
"""

from __future__ import annotations


class DeviceError(RuntimeError):
    """The device did not answer or answered something unreadable."""


class NoDevice(DeviceError):
    """Nothing answers where the device should be (no emulator, no ADB server, no simulator)."""


class DeviceOffline(DeviceError):
    """The ADB server knows the device but it is offline (booting, or the emulator hung)."""


class Unauthorized(DeviceError):
    """The device refused this ADB server's key (accept the prompt on the device)."""


class BadFrame(DeviceError):
    """A capture came back black, truncated or undecodable: never passed on as a screen."""


class UnsupportedDisplay(DeviceError):
    """The display is not 16:9: every coordinate of the product is a 1280x720 frame's."""
