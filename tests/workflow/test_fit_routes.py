"""The gateway's fit routes over HTTP (a real gateway and redis-server): the dashboard
shows the last refit of a trace and saves it as the next coefficient version."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app
from services.workflow.tasks import refit
from shared.config import WorkflowConfig
from shared.curve_fits import LAST_FIT
from shared.data import DATA_DIR
from shared.playfield import current_coefficients, shipped_coefficients
from shared.settings import Settings
from tests.conftest import free_port
from tests.task_double import RecordingContext


@pytest.fixture
def gateway(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    settings = Settings(redis_url=redis_url.rsplit("/", 1)[0] + "/6", data_dir=data)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data
    server.should_exit = True
    thread.join(10)


def test_the_last_fit_is_shown_and_saved_once(gateway: tuple[str, Path]) -> None:
    url, data = gateway
    none = httpx.get(f"{url}/api/workflow/fit")
    assert none.status_code == 200 and none.json() is None
    nothing = httpx.post(f"{url}/api/workflow/fit/save")
    assert nothing.status_code == 404 and "run TraceNote or TraceFirstNote" in nothing.json()["detail"]

    rows = json.loads((DATA_DIR / "trace_note.json").read_text())
    cfg = WorkflowConfig.model_validate({"workflow_mode": "TraceNote"})
    fit = refit(RecordingContext(data, cfg), rows, first=False, source="workflow/traces/t_TraceNote.json")
    shown = httpx.get(f"{url}/api/workflow/fit").json()
    assert shown["coefficients"] == list(fit.coefficients) and shown["saved_as"] is None
    assert shown["mode"] == "TraceNote" and shown["points"] == fit.points
    assert current_coefficients(data) == shipped_coefficients("v1")

    saved = httpx.post(f"{url}/api/workflow/fit/save")
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == "v3" and saved.json()["path"] == "workflow/coefficients/v3.json"
    assert current_coefficients(data) == fit.coefficients  # the play engine's curve now
    assert httpx.get(f"{url}/api/workflow/fit").json()["saved_as"] == "v3"
    again = httpx.post(f"{url}/api/workflow/fit/save")
    assert again.status_code == 409 and "saved already, as v3" in again.json()["detail"]
    assert not (data / "workflow" / "coefficients" / "v4.json").exists()


def test_a_broken_last_fit_is_named(gateway: tuple[str, Path]) -> None:
    url, data = gateway
    (data / LAST_FIT).parent.mkdir(parents=True)
    (data / LAST_FIT).write_text('{"coefficients": [1]}')
    resp = httpx.get(f"{url}/api/workflow/fit")
    assert resp.status_code == 500 and "workflow/fits/last.json: not a fit" in resp.json()["detail"]
