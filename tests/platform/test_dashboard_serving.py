"""The gateway serves the built dashboard on the API's origin, with an SPA fallback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app
from services.testing.stack import wait_ready
from shared.settings import Settings
from tests.conftest import free_port


@pytest.fixture
def served(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, Path]]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=app></div>")
    (dist / "assets" / "app.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("not for the web")
    settings = Settings(redis_url=redis_url.rsplit("/", 1)[0] + "/5", data_dir=tmp_path / "data")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, dist), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_ready(lambda: bool(server.started) or not thread.is_alive(), "the gateway (in a thread)")
    assert server.started, "the gateway's thread ended before it served"
    yield f"http://127.0.0.1:{port}", dist
    server.should_exit = True
    thread.join(10)


def test_dashboard_files_and_spa_fallback(served: tuple[str, Path]) -> None:
    url, dist = served
    index = httpx.get(f"{url}/")
    assert index.status_code == 200 and "id=app" in index.text
    js = httpx.get(f"{url}/assets/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert httpx.get(f"{url}/modules/scriptor/settings").text == index.text  # client-side route
    assert httpx.get(f"{url}/assets/../../secret.txt").text == index.text  # never outside dist
    api = httpx.get(f"{url}/api/nothing/here")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
    assert httpx.get(f"{url}/healthz").json()["redis"] is True
    (dist / "index.html").unlink()
    missing = httpx.get(f"{url}/")
    assert missing.status_code == 404 and "dashboard not built" in missing.json()["detail"]
