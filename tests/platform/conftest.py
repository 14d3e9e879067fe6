from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis

from services.testing.events import stop_and_wait
from services.testing.stack import Stack
from shared.modules import MODULE_NAMES
from shared.runtime.registry import publish_registry


@pytest.fixture
def live(stack: Stack) -> Iterator[Stack]:
    """The shared stack; every module is left idle (stopped) after the test."""
    yield stack
    for m in MODULE_NAMES:
        if httpx.get(f"{stack.url}/api/{m}/state").json()["status"] in ("queued", "running", "stopping"):
            stop_and_wait(stack.url, m)


@pytest.fixture(scope="module")
def inject_url(redis_url: str) -> Iterator[str]:
    """A database of its own holding only the registry: what ``scripts/inject.lua`` reads."""
    url = redis_url.rsplit("/", 1)[0] + "/12"
    r = redis.Redis.from_url(url, decode_responses=True)
    r.flushdb()
    publish_registry(r)
    yield url
    r.flushdb()
