"""The judgement windows (ms, either side of a note's time): the one list the simulator's
judge and the scriptor's offset estimate both use.

No official figures exist (docs/scriptor-and-play.md section 5); these are the documented
defaults of docs/play-architecture.md, consistent with the user's Custom offsets (32 ms
late -> Great, 40 -> Good, 48 -> Bad)."""

from __future__ import annotations

PERFECT_MS = 30.0
GREAT_MS = 38.0
GOOD_MS = 46.0
BAD_MS = 60.0  # beyond: Miss
WINDOWS_MS = (PERFECT_MS, GREAT_MS, GOOD_MS, BAD_MS)
