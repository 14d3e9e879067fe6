from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.testing.events import stop_and_wait
from services.testing.stack import Stack
from shared.modules import MODULE_NAMES


@pytest.fixture
def live(stack: Stack) -> Iterator[Stack]:
    """The shared stack; every module is left idle (stopped) after the test."""
    yield stack
    for m in MODULE_NAMES:
        if httpx.get(f"{stack.url}/api/{m}/state").json()["status"] in ("queued", "running", "stopping"):
            stop_and_wait(stack.url, m)
