"""The fetch task, every mode, called as the runtime calls it (``fetch(ctx)``) with an
in-process context, against the fake Bestdori on loopback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from services.fetch.client import BestdoriError, NotFound
from services.fetch.tasks import fetch
from shared.catalog import DIFFICULTIES, load_catalog, songs_all_path
from shared.chart import ChartError
from shared.chart.library import ChartLibrary, load_chart
from shared.config.fetch import Difficulty, FetchConfig, FetchMode
from shared.task_context import TaskError, TaskStopped
from tests.fetch.fake_bestdori import SONGS_PATH, FakeBestdori, chart_url, dumps
from tests.task_double import RecordingContext

pytestmark = pytest.mark.usefixtures("settings_env")

# The fake's catalog: the real entries of the songs with fixture charts, one chart each.
SERVED = {(1, 0), (316, 3), (570, 0), (689, 4), (10001, 4)}


def run(data_dir: Path, mode: FetchMode, **cfg: object) -> RecordingContext[FetchConfig]:
    ctx = RecordingContext(data_dir, FetchConfig(fetch_mode=mode, **cfg), module="fetch", task="fetch")
    fetch(ctx)
    return ctx


def files(data_dir: Path) -> dict[str, bytes]:
    d = data_dir / "charts"
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())} if d.is_dir() else {}


def stored(data_dir: Path) -> set[tuple[int, int]]:
    return {(s, d) for s, ds in ChartLibrary(data_dir).index().items() for d in ds}


# -- FetchSongHeader -----------------------------------------------------------------------


def test_song_header_keeps_the_raw_list_and_a_derived_catalog(data_dir: Path, bestdori: FakeBestdori) -> None:
    ctx = run(data_dir, FetchMode.FetchSongHeader)
    assert songs_all_path(data_dir).read_bytes() == bestdori.songs_all
    cat = load_catalog(data_dir)
    assert not cat.shipped and sorted(cat.songs) == [1, 316, 570, 689, 10001]
    derived = json.loads((data_dir / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    row = next(r for r in derived["songs"] if r["id"] == 570)
    assert row["titles"]["jp"] == "第ゼロ感" and row["levels"] == {"easy": 6} and row["band_id"] == 18
    assert "song list saved: 5 songs, 5 charts" in ctx.text()


def test_song_header_reports_new_songs(data_dir: Path, bestdori: FakeBestdori, served_songs: bytes) -> None:
    full = json.loads(served_songs)
    bestdori.songs_all = dumps({k: v for k, v in full.items() if k != "570"})
    run(data_dir, FetchMode.FetchSongHeader)
    bestdori.songs_all = served_songs
    ctx = run(data_dir, FetchMode.FetchSongHeader)
    assert "1 new songs, 0 songs with new difficulties (570 第ゼロ感)" in ctx.text()


@pytest.mark.parametrize("fault", ["html", "cut", "404", "500"])
def test_a_bad_song_list_never_replaces_the_good_one(
    data_dir: Path, bestdori: FakeBestdori, fault: str
) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    before = songs_all_path(data_dir).read_bytes()
    bestdori.always[SONGS_PATH] = fault
    with pytest.raises(BestdoriError):
        run(data_dir, FetchMode.FetchSongHeader)
    assert songs_all_path(data_dir).read_bytes() == before
    assert sorted(p.name for p in (data_dir / "catalog").iterdir()) == ["catalog.json", "songs-all.json"]


def test_a_shrunken_song_list_is_refused(data_dir: Path, bestdori: FakeBestdori, served_songs: bytes) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    bestdori.songs_all = dumps({"1": json.loads(served_songs)["1"]})
    with pytest.raises(BestdoriError, match="Bestdori sent 1 songs, the library's list has 5"):
        run(data_dir, FetchMode.FetchSongHeader)
    assert songs_all_path(data_dir).read_bytes() == served_songs


# -- FetchOne ------------------------------------------------------------------------------


def test_fetch_one_stores_the_chart_as_sent(data_dir: Path, bestdori: FakeBestdori) -> None:
    # FetchOne works straight from the shipped catalog on a fresh install.
    ctx = run(data_dir, FetchMode.FetchOne, song_id=316, level=Difficulty.Expert)
    assert files(data_dir) == {"316_3.bestdori": bestdori.charts[(316, "expert")]}
    assert load_chart(316, Difficulty.Expert, data_dir).note_count == 683
    assert "fetched 316 オレンジ [Expert]: 683 notes, 117.6 s, old form" in ctx.text()
    assert ctx.progresses[-1][:2] == (1, 1)


def test_fetch_one_checks_the_config_against_the_catalog(data_dir: Path, bestdori: FakeBestdori) -> None:
    # TaskError: a foreseeable failure, shown as one line without a traceback.
    with pytest.raises(TaskError, match="song_id 295 is not in the catalog"):
        run(data_dir, FetchMode.FetchOne, song_id=295, level=Difficulty.Expert)
    expected = "level: song 316 (オレンジ) has no Special chart (has: easy, normal, hard, expert)"
    with pytest.raises(TaskError, match=re.escape(expected)):
        run(data_dir, FetchMode.FetchOne, song_id=316, level=Difficulty.Special)
    assert bestdori.hits == []


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("html", ChartError, "song 1 easy: got an HTML page"),
        ("cut", ChartError, "song 1 easy: not valid JSON (truncated?)"),
        ("404", NotFound, "/api/charts/1/easy.json: 404"),
        ("result-false", NotFound, "song 1 easy: Bestdori has no such chart"),
        ("500", BestdoriError, "HTTP 500 (gave up after 3 tries)"),
        ("truncated", BestdoriError, "RemoteProtocolError"),
        ("slow", BestdoriError, "ReadTimeout"),
    ],
)
def test_a_failed_fetch_never_damages_the_existing_chart(
    data_dir: Path, bestdori: FakeBestdori, fault: str, error: type[Exception], message: str
) -> None:
    run(data_dir, FetchMode.FetchOne, song_id=1, level=Difficulty.Easy)
    before = files(data_dir)
    bestdori.always[chart_url(1, 0)] = fault
    with pytest.raises(error) as info:
        run(data_dir, FetchMode.FetchOne, song_id=1, level=Difficulty.Easy)
    assert message in str(info.value)
    assert files(data_dir) == before  # same bytes, no temp files left behind


def test_fetch_one_with_a_bad_body_writes_nothing(data_dir: Path, bestdori: FakeBestdori) -> None:
    bestdori.charts[(570, "easy")] = b'[{"type": "BPM", "beat": 0, "bpm": 150}]'  # valid JSON, no notes
    with pytest.raises(ChartError, match="song 570 easy: chart has no valid notes"):
        run(data_dir, FetchMode.FetchOne, song_id=570, level=Difficulty.Easy)
    assert files(data_dir) == {}


# -- FetchLack -----------------------------------------------------------------------------


def test_fetch_lack_fetches_what_the_library_lacks(
    data_dir: Path, bestdori: FakeBestdori, charts: dict[tuple[int, str], bytes]
) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    run(data_dir, FetchMode.FetchOne, song_id=1, level=Difficulty.Easy)
    bestdori.reset()
    ctx = run(data_dir, FetchMode.FetchLack)
    assert stored(data_dir) == SERVED
    assert bestdori.hits_for(chart_url(1, 0)) == 0  # already there: not fetched again
    assert len(bestdori.hits) == 4
    assert [p[:2] for p in ctx.progresses] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert ctx.progresses[0][2] == "316 オレンジ [expert]"
    assert "FetchLack: fetched 4 of 4, 0 not on Bestdori, 0 failed" in ctx.text()
    for song, d in SERVED:
        assert ChartLibrary(data_dir).path(song, d).read_bytes() == charts[(song, DIFFICULTIES[d])]


def test_fetch_lack_skips_missing_and_broken_charts(data_dir: Path, bestdori: FakeBestdori) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    del bestdori.charts[(570, "easy")]  # listed in the catalog, 404 on Bestdori
    bestdori.always[chart_url(689, 4)] = "html"
    ctx = run(data_dir, FetchMode.FetchLack)
    assert set(files(data_dir)) == {"1_0.bestdori", "316_3.bestdori", "10001_4.bestdori"}
    assert "FetchLack: fetched 3 of 5, 1 not on Bestdori, 1 failed" in ctx.text()
    warnings = "\n".join(ctx.warnings())
    assert "[3/5] GET" in warnings and "/api/charts/570/easy.json: 404 not found; skipped" in warnings
    assert "[4/5] song 689 special: got an HTML page" in warnings
    assert ctx.states[-1] == {"fetched": 3, "missing": 1, "failed": 1}


def test_fetch_lack_stops_when_bestdori_is_down(data_dir: Path, bestdori: FakeBestdori) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    for song, d in SERVED:
        bestdori.always[chart_url(song, d)] = "503"
    with pytest.raises(BestdoriError, match="5 charts failed in a row") as info:
        run(data_dir, FetchMode.FetchLack)
    assert "Charts fetched so far are kept; run FetchLack again to resume" in str(info.value)
    assert files(data_dir) == {}
    assert sum(bestdori.hits_for(chart_url(s, d)) for s, d in SERVED) == 5 * 3  # each tried 3 times


def test_fetch_lack_stopped_midway_resumes_without_losing_anything(
    data_dir: Path, bestdori: FakeBestdori
) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    ctx = RecordingContext(data_dir, FetchConfig(fetch_mode=FetchMode.FetchLack), stop_after_checkpoints=2)
    with pytest.raises(TaskStopped):
        fetch(ctx)
    assert set(files(data_dir)) == {"1_0.bestdori", "316_3.bestdori"}  # the two before the stop
    assert "FetchLack: fetched 2 of 5" in ctx.text()
    resumed = run(data_dir, FetchMode.FetchLack)
    assert "the library lacks 3" in resumed.text()
    assert stored(data_dir) == SERVED
    # Every chart was downloaded exactly once over the two runs.
    assert sorted(bestdori.hits_for(chart_url(s, d)) for s, d in SERVED) == [1] * 5


def test_fetch_lack_stop_during_a_retry_wait(data_dir: Path, bestdori: FakeBestdori) -> None:
    run(data_dir, FetchMode.FetchSongHeader)
    bestdori.always[chart_url(1, 0)] = "500"
    ctx = RecordingContext(data_dir, FetchConfig(fetch_mode=FetchMode.FetchLack), stop_after_checkpoints=1)
    with pytest.raises(TaskStopped):
        fetch(ctx)  # the backoff sleeps through ctx.sleep, which sees the stop
    assert bestdori.hits_for(chart_url(1, 0)) == 1 and files(data_dir) == {}


# -- SpecialChar ---------------------------------------------------------------------------


def test_special_char_reports_shaving_and_collisions(data_dir: Path, bestdori: FakeBestdori) -> None:
    ctx = run(data_dir, FetchMode.SpecialChar)  # the shipped catalog: all 587 songs
    report = (data_dir / "catalog" / "special-char.txt").read_text(encoding="utf-8")
    assert report in ctx.text()
    lines = report.splitlines()
    assert lines[0].startswith("SpecialChar: 1155 distinct titles of 587 songs")
    # Two songs share the title 閃光 (410 and 467): a title match cannot tell them apart.
    clash = [ln.split(" | ") for ln in lines if ln.startswith("閃光 ")]
    assert [c[1].strip() for c in clash] == ["410", "467"]
    row = next(ln for ln in lines if ln.startswith("1 ") and "Yes! BanG_Dream!" in ln)
    cells = [c.strip() for c in row.split(" | ")]
    assert cells == ["1", "jp,en,tw,cn,kr", "!_", "Yes! BanG_Dream!", "yesbangdream"]
    assert ctx.states[-1]["collisions"] == 8
    assert bestdori.hits == []  # SpecialChar is offline


def test_song_header_replaces_a_corrupt_song_list(data_dir: Path, bestdori: FakeBestdori) -> None:
    path = songs_all_path(data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"1": {"musicTi')  # a half-written file from some other tool
    ctx = run(data_dir, FetchMode.FetchSongHeader)
    assert path.read_bytes() == bestdori.songs_all
    assert any("the old song list is unreadable and will be replaced" in w for w in ctx.warnings())
