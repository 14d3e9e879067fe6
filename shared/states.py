"""The game's screen states (index = UI-recognition class id) and the weight titles."""

from __future__ import annotations

UI_STATES: tuple[str, ...] = (
    "award", "award_again", "award_back", "award_dialog", "award_loading", "award_score",
    "choose", "choose_dialog", "compete", "download", "failed", "failed_again", "join",
    "join_choose", "join_loading", "join_wait", "loading", "main_page", "opps",
    "opps_reconnect", "playing", "playmode", "ready", "ready_adjust", "ready_done",
    "shop_dialog", "stage", "stage_choose", "story", "story_choose", "story_dialog",
    "story_skip", "tour", "tour_choose",
)  # fmt: skip

# Probabilities of [Perfect, Great, Good, Bad, Miss] for the Custom performance.
WEIGHT_TITLES: dict[str, tuple[float, float, float, float, float]] = {
    "blind": (0.45, 0.30, 0.05, 0.05, 0.15),
    "hell": (0.60, 0.20, 0.05, 0.05, 0.10),
    "fool": (0.70, 0.20, 0.05, 0.03, 0.02),
    "newbee": (0.85, 0.095, 0.005, 0.015, 0.035),
    "skilled": (0.943, 0.05, 0.002, 0.003, 0.002),
    "master": (0.96, 0.038, 0.0, 0.001, 0.001),
    "top": (0.98, 0.018, 0.0, 0.001, 0.001),
    "nohuman": (0.99, 0.008, 0.0, 0.001, 0.001),
    "newworld": (0.995, 0.004, 0.0, 0.0, 0.001),
    "god": (1.0, 0.0, 0.0, 0.0, 0.0),
}

# Song level -> default weight title (first rung whose floor the level reaches).
LEVEL_LADDER: tuple[tuple[str, int], ...] = (
    ("blind", 32), ("hell", 30), ("fool", 29), ("newbee", 28), ("skilled", 27),
    ("master", 26), ("top", 25), ("nohuman", 23), ("newworld", 18), ("god", 0),
)  # fmt: skip


def get_avail_state() -> list[str]:
    return list(UI_STATES)


def get_all_weight_title() -> list[str]:
    return list(WEIGHT_TITLES)


def title_for_level(level: int) -> str:
    return next(title for title, floor in LEVEL_LADDER if level >= floor)
