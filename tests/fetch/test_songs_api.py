"""``GET /api/songs`` and ``GET /api/songs/{id}`` over real HTTP on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from services.gateway.routes.songs import router
from shared.chart.library import ChartLibrary
from shared.settings import Settings
from tests.conftest import free_port


@pytest.fixture(scope="module")
def library_dir(tmp_path_factory: pytest.TempPathFactory, reference_data: Path) -> Path:
    d = tmp_path_factory.mktemp("songs-api")
    lib = ChartLibrary(d)
    lib.store(1, 0, (reference_data / "charts" / "1_0.bestdori").read_bytes())
    lib.store(1, 3, (reference_data / "charts" / "1_0.bestdori").read_bytes())
    lib.store(316, 3, (reference_data / "charts" / "316_3.bestdori").read_bytes())
    return d


@pytest.fixture(scope="module")
def api(library_dir: Path) -> Iterator[httpx.Client]:
    app = FastAPI()
    app.include_router(router)
    app.state.settings = Settings(data_dir=library_dir)  # as the gateway's create_app does
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield client
    server.should_exit = True
    thread.join(10)


def test_list_has_every_song_with_levels_and_charts(api: httpx.Client) -> None:
    body = api.get("/api/songs").json()
    assert body["count"] == 587 and body["shipped_catalog"] is True
    first = body["songs"][0]
    assert first == {
        "id": 1,
        "title": "Yes! BanG_Dream!",
        "titles": {k: "Yes! BanG_Dream!" for k in ("jp", "en", "tw", "cn", "kr")},
        "band_id": 1,
        "levels": {"easy": 5, "normal": 10, "hard": 17, "expert": 22, "special": 26},
        "charts": ["easy", "expert"],
    }
    assert [s["id"] for s in body["songs"] if s["charts"]] == [1, 316]


def test_list_filters(api: httpx.Client) -> None:
    with_chart = api.get("/api/songs", params={"has_chart": "true"}).json()
    assert [s["id"] for s in with_chart["songs"]] == [1, 316]
    without = api.get("/api/songs", params={"has_chart": "false"}).json()
    assert without["count"] == 585
    found = api.get("/api/songs", params={"q": "orange"}).json()  # the EN title of 316
    assert [s["id"] for s in found["songs"]] == [316]
    assert api.get("/api/songs", params={"has_chart": "maybe"}).status_code == 422


def test_detail(api: httpx.Client) -> None:
    body = api.get("/api/songs/316").json()
    assert body["title"] == "オレンジ"
    assert body["charts"] == ["expert"]
    assert body["levels"] == {"easy": 7, "normal": 13, "hard": 19, "expert": 25}
    assert body["tag"] == "anime"
    assert body["shaved_titles"] == ["orange", "オレンジ", "오렌지"]
    assert set(body["published"]) == {"jp", "en", "tw", "cn", "kr"}


def test_unknown_song_is_a_clear_404(api: httpx.Client) -> None:
    r = api.get("/api/songs/424242")
    assert r.status_code == 404
    assert r.json()["detail"] == "song 424242 is not in the catalog (587 songs)"
    assert api.get("/api/songs/abc").status_code == 422
