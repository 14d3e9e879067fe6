"""The game's device as tasks see it (docs/device.md): one ``Device`` interface over a real
emulator (ADB), the simulated game (the same ADB path) or a folder of pictures, built from
``AUTOBANG_DEVICE`` by ``open_device``."""

from shared.device.base import Device, DeviceInfo
from shared.device.errors import BadFrame, DeviceError, DeviceOffline, NoDevice, Unauthorized
from shared.device.frame import HEIGHT, IMAGE_SUFFIXES, WIDTH, Frame, image_files, to_screen

__all__ = [
    "HEIGHT",
    "IMAGE_SUFFIXES",
    "WIDTH",
    "BadFrame",
    "Device",
    "DeviceError",
    "DeviceInfo",
    "DeviceOffline",
    "Frame",
    "NoDevice",
    "Unauthorized",
    "image_files",
    "to_screen",
]
