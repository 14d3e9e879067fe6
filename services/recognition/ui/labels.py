"""Class ids of the UI classifier: the 34 states of ``shared.screens.UI_STATES`` in their
order (id = index), then one rejection class, ``unknown``, trained on screens that are none
of them. Ids never come from directory order."""

from __future__ import annotations

from shared.screens import UI_STATES

UNKNOWN = "unknown"
LABELS: tuple[str, ...] = (*UI_STATES, UNKNOWN)
UNKNOWN_ID = len(UI_STATES)
LABEL_ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}


def parse_label(text: str | None, *, allow_unknown: bool = True) -> str | None:
    """A label from an id (0-34) or a name (case-insensitive); None when it is neither."""
    value = (text or "").strip().lower()
    if value.isdigit():
        i = int(value)
        label = LABELS[i] if i < len(LABELS) else None
    else:
        label = value if value in LABEL_ID else None
    if label == UNKNOWN and not allow_unknown:
        return None
    return label
