"""Turns between test processes (services/testing/turns.py): an exclusive turn waits for the
shared ones and holds new ones back, while shared turns keep coming."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from services.testing.turns import turn


def test_an_exclusive_turn_is_alone_and_not_starved(tmp_path: Path) -> None:
    events: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def note(what: str) -> None:
        with lock:
            events.append(what)

    deadline = time.monotonic() + 10  # a starved exclusive turn gets in when they stop

    def sharer(name: str) -> None:  # tests that keep coming, as an xdist worker's do
        while not stop.is_set() and time.monotonic() < deadline:
            with turn(tmp_path, exclusive=False):
                note(f"{name}+")
                time.sleep(0.02)
                note(f"{name}-")

    sharers = [threading.Thread(target=sharer, args=(n,)) for n in "abcd"]
    for t in sharers:
        t.start()
    time.sleep(0.1)
    started = time.monotonic()
    with turn(tmp_path, exclusive=True):  # flock locks of separate opens exclude each other
        waited = time.monotonic() - started
        with lock:
            inside = len(events)
        time.sleep(0.2)
        with lock:
            during = events[inside:]
    stop.set()
    for t in sharers:
        t.join(10)
    assert waited < 5, f"the exclusive turn waited {waited:.1f} s"
    assert during == []  # no shared turn began or ended while the exclusive one held
    held = {n: 0 for n in "abcd"}
    for e in events[:inside]:
        held[e[0]] += 1 if e[1] == "+" else -1
    assert held == dict.fromkeys("abcd", 0)  # every shared turn had ended before it
