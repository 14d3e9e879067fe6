"""The game's 34 screen states; the index is the UI-recognition class id
(``shared/data/ui-states.json`` holds the same list)."""

from __future__ import annotations

UI_STATES: tuple[str, ...] = (
    "award", "award_again", "award_back", "award_dialog", "award_loading", "award_score",
    "choose", "choose_dialog", "compete", "download", "failed", "failed_again", "join",
    "join_choose", "join_loading", "join_wait", "loading", "main_page", "opps",
    "opps_reconnect", "playing", "playmode", "ready", "ready_adjust", "ready_done",
    "shop_dialog", "stage", "stage_choose", "story", "story_choose", "story_dialog",
    "story_skip", "tour", "tour_choose",
)  # fmt: skip


def get_avail_state() -> list[str]:
    return list(UI_STATES)
