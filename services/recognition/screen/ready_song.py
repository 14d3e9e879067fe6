"""The song the ready screen is about to play: its difficulty badge (solo page) and level
number, at the real game's places (``READY_BADGE``, ``READY_LEVEL``; a co-op room shows
its level at ``COOP_READY_LEVEL`` and no badge). The title is the song recogniser's (its
crop: ``shared.catalogue.regions``); this reading is what the chosen chart must agree
with before a song is played (``services.scriptor.verify.ready_mismatch``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from services.recognition.screen.badge import badge_difficulty
from services.recognition.screen.frame import to_reference
from services.recognition.screen.glyphs import read_number
from shared.screen_facts import COOP_READY_LEVEL, READY_BADGE, READY_LEVEL

LEVEL_MARGIN = 4  # px around the level box: a frame a few px off still holds the digits
MAX_LEVEL_DIGITS = 2


@dataclass(frozen=True)
class ReadySong:
    difficulty: str | None  # None: no badge read (always in a co-op room)
    level: int | None  # None: no number read

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_ready_song(frame: npt.NDArray[np.generic], multiplayer: bool = False) -> ReadySong:
    """What the ready screen says of its song; a field that cannot be read is None."""
    ref = to_reference(frame)
    grey = np.asarray(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY), np.uint8)
    box = COOP_READY_LEVEL if multiplayer else READY_LEVEL
    level = read_number(grey, box, LEVEL_MARGIN, MAX_LEVEL_DIGITS)
    return ReadySong(None if multiplayer else badge_difficulty(ref, READY_BADGE), level)
