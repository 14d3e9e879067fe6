"""Weight titles: probabilities of [Perfect, Great, Good, Bad, Miss] for the Custom
performance (the user's defaults; a config may edit them)."""

from __future__ import annotations

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


def get_all_weight_title() -> list[str]:
    return list(WEIGHT_TITLES)
