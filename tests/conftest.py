"""Session fixtures shared by every test: a real redis-server on a free port; the ``stack``
marker on every test that starts the product's processes (``scripts/test --fast`` leaves
those out)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import uvicorn

from services.gateway.app import create_app
from services.launcher import free_port as free_port  # the tests import it from here
from services.testing.stack import Stack, end_process, start_stack, wait_ready
from services.testing.turns import turn
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Fixtures that start the whole product (launcher, gateway, workers): a test using one is a
# stack test. Modules that start such processes themselves say ``pytestmark = pytest.mark.stack``.
STACK_FIXTURES = frozenset({"stack", "live", "real_stack"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if STACK_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Under pytest-xdist, a ``real_clock`` test (it plays a chart and judges the touches'
    timing) waits for the other workers' current tests and holds their next ones back while
    it plays (services/testing/turns.py): a chart played beside the other worker's training
    lost its combo at load 10. A turn spans the test's setup too: a session fixture's
    training is as heavy as any test. One process needs no turns."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return (yield)
    exclusive = item.get_closest_marker("real_clock") is not None
    # xdist gives each worker the base temp folder <this run's>/gwN: the parent is shared.
    with turn(Path(item.config.option.basetemp).parent / "turns", exclusive=exclusive):
        return (yield)


# Real data shipped with the project (shared/data/README.md says where each file came from).
REFERENCE_DATA = ROOT / "shared" / "data"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_ready(answers, "redis-server", proc)
    except RuntimeError:
        proc.kill()
        raise
    yield url
    end_process(proc)


@pytest.fixture(scope="session")
def reference_data() -> Path:
    assert REFERENCE_DATA.is_dir(), f"reference data not found at {REFERENCE_DATA}"
    return REFERENCE_DATA


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole product as users run it (``autobang up``: own redis-server, gateway, one
    worker per module), shared by the tests of a session; tests leave modules idle."""
    s = start_stack(tmp_path_factory.mktemp("stack") / "data", free_port())
    yield s
    s.stop()


@dataclass
class InProcessGateway:
    url: str  # http://127.0.0.1:<port>
    data_dir: Path


@pytest.fixture
def app_gateway(tmp_path: Path, redis_url: str) -> Iterator[InProcessGateway]:
    """The gateway app served by uvicorn in a thread, on its own Redis database: route
    behaviour over real HTTP without a launcher or workers (not a stack test)."""
    url = redis_url.rsplit("/", 1)[0] + "/4"
    redis.Redis.from_url(url).flushdb()
    data = tmp_path / "data"
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(redis_url=url, data_dir=data)), host="127.0.0.1", port=port)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_ready(lambda: server.started or not thread.is_alive(), "the in-process gateway")
    assert server.started, "the in-process gateway did not start"
    yield InProcessGateway(f"http://127.0.0.1:{port}", data)
    server.should_exit = True
    thread.join(30)
