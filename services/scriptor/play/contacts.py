"""Contacts by interval colouring: gestures sorted by their down, each takes the lowest
contact whose previous gesture lifted strictly earlier. Greedy colouring of intervals in
start order uses the fewest contacts possible, so a hold never blocks a tap while any
contact is free."""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def allocate(intervals: Sequence[tuple[int, int]], max_contacts: int) -> list[int | None]:
    """``intervals`` are (down_us, up_us); the contact for each (in input order), or None
    when all ``max_contacts`` are held at its down."""
    order = sorted(range(len(intervals)), key=lambda i: intervals[i])
    free = list(range(max_contacts))  # a heap: the lowest free contact first
    busy: list[tuple[int, int]] = []  # (up_us, contact)
    out: list[int | None] = [None] * len(intervals)
    for i in order:
        down, up = intervals[i]
        while busy and busy[0][0] < down:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if not free:
            continue
        c = heapq.heappop(free)
        out[i] = c
        heapq.heappush(busy, (up, c))
    return out
