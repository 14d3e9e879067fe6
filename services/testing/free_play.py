"""One short Free-mode play on the simulated game, shared by the scriptor's stack tests."""

from __future__ import annotations

SONG = 316  # オレンジ, expert
CUT_S = 6.0  # the first seconds of the chart: the suite stays fast
SCENARIO = {
    "seed": 3,
    "mode": "Free",
    "songs": [SONG],
    "difficulty": 3,
    "delays": {"app_start": 0.5, "loading": 0.3, "lead_in": 1.5, "after_song": 0.5, "award_loading": 0.3},
}
