"""The simulated game's buttons: a view on the screen catalogue (``shared.catalogue``),
which is the one table of every state's buttons, boxes and tap points. The screens draw
them (``screens.py``) and the game logic reacts to taps inside them (``game.py``); a tap
anywhere else does nothing, as in the game."""

from __future__ import annotations

from shared.catalogue import DIFFICULTY_NAMES, Button, buttons, hit
from shared.catalogue.buttons import BUTTONS

__all__ = ["BUTTONS", "DIFFICULTY_NAMES", "Button", "buttons", "hit"]
