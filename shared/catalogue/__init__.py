"""The screen catalogue: the one home of each of the game's 34 screen states as data
(buttons by name with their boxes, tap points and transitions; regions read; every fact
with its source). The scriptor taps buttons by name from here; the simulator draws and
reacts to the same buttons. ALAS's ``module/ui/page.py`` is the model."""

from shared.catalogue.buttons import DIFFICULTY_NAMES
from shared.catalogue.screens import SCREENS, VARIANT_SETS, button, buttons, hit, screen
from shared.catalogue.types import DISMISS, Button, Region, Screen, Source

__all__ = [
    "DIFFICULTY_NAMES",
    "DISMISS",
    "SCREENS",
    "VARIANT_SETS",
    "Button",
    "Region",
    "Screen",
    "Source",
    "button",
    "buttons",
    "hit",
    "screen",
]
