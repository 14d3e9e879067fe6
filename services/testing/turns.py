"""Turns between test processes (pytest-xdist workers): most tests share the machine, a test
that judges touches on the real clock takes it alone. On two cores a second worker's
training beside a chart being played costs that chart its combo.

A readers-writer lock on a file (``flock``), with a turnstile so that a waiting exclusive
turn is not starved by shared turns that keep coming: a shared turn passes the turnstile
before it takes its share, and an exclusive one holds the turnstile while it waits."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def turn(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold a turn of the machine shared by the processes that use ``folder``: alone when
    ``exclusive``, else beside the other shared turns."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "turnstile.lock").open("a") as gate, (folder / "machine.lock").open("a") as machine:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(machine, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            if not exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(machine, fcntl.LOCK_UN)
            if exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)
