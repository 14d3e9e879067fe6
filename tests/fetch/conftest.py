"""Fixtures for the fetch tests: the fake Bestdori on loopback and settings pointing at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.settings import get_settings
from tests.fetch.fake_bestdori import FakeBestdori, dumps, fixture_charts, songs_for_charts

# Small numbers keep the retry and timeout tests quick (no timing is asserted).
TIMEOUT_S = 0.3
RETRIES = 2


@pytest.fixture(scope="session")
def charts(reference_data: Path) -> dict[tuple[int, str], bytes]:
    return fixture_charts(reference_data / "charts")


@pytest.fixture(scope="session")
def served_songs(reference_data: Path, charts: dict[tuple[int, str], bytes]) -> bytes:
    real = json.loads((reference_data / "songs-all.json").read_text(encoding="utf-8"))
    return dumps(songs_for_charts(real, charts))


@pytest.fixture
def bestdori(served_songs: bytes, charts: dict[tuple[int, str], bytes]) -> Iterator[FakeBestdori]:
    fake = FakeBestdori(served_songs, dict(charts), slow_s=TIMEOUT_S * 3).start()
    yield fake
    fake.stop()


@pytest.fixture
def settings_env(bestdori: FakeBestdori, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AUTOBANG_BESTDORI_URL", bestdori.url)
    monkeypatch.setenv("AUTOBANG_BESTDORI_TIMEOUT_S", str(TIMEOUT_S))
    monkeypatch.setenv("AUTOBANG_BESTDORI_RETRIES", str(RETRIES))
    monkeypatch.setenv("AUTOBANG_BESTDORI_BACKOFF_S", "0.01")
    monkeypatch.setenv("AUTOBANG_BESTDORI_INTERVAL_S", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d
