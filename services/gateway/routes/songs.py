"""``/api/songs``: the song catalog for the dashboard, with which charts the library has."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from services.gateway.models import ErrorDetail
from shared.catalog import Catalog, Song, difficulty_name, load_catalog, shave
from shared.chart.library import ChartLibrary
from shared.settings import Settings, get_settings

router = APIRouter(tags=["songs"])


def songs_data_dir(request: Request) -> Path:
    """The data dir the catalog and charts are read from: the app's settings
    (``app.state.settings``, as the gateway sets them), else the environment's."""
    settings = getattr(request.app.state, "settings", None)
    return settings.data_dir if isinstance(settings, Settings) else get_settings().data_dir


DataDir = Annotated[Path, Depends(songs_data_dir)]


class SongSummary(BaseModel):
    id: int
    title: str  # display title (CN first)
    titles: dict[str, str | None]  # per server: jp, en, tw, cn, kr
    band_id: int | None
    levels: dict[str, int]  # difficulty name -> play level
    charts: list[str]  # difficulties with a chart in the library


class SongDetail(SongSummary):
    tag: str | None
    published: dict[str, bool]  # per server
    shaved_titles: list[str]  # the forms title matching compares


class SongList(BaseModel):
    count: int
    shipped_catalog: bool  # true until Fetch -> FetchSongHeader has run
    songs: list[SongSummary]


def _catalog(data_dir: Path) -> Catalog:
    try:
        return load_catalog(data_dir)
    except (OSError, ValueError) as exc:
        raise HTTPException(status_code=500, detail=f"song catalog unreadable: {exc}") from exc


def _summary(song: Song, have: set[int]) -> dict[str, object]:
    return {
        "id": song.id,
        "title": song.title,
        "titles": song.titles_by_server(),
        "band_id": song.band_id,
        "levels": song.level_names(),
        "charts": [difficulty_name(d) for d in sorted(have)],
    }


@router.get("/api/songs", response_model=SongList)
def list_songs(
    data_dir: DataDir,
    q: Annotated[str | None, Query(description="title search (any server, shaved)")] = None,
    has_chart: Annotated[bool | None, Query(description="only songs with / without a chart")] = None,
) -> SongList:
    catalog = _catalog(data_dir)
    index = ChartLibrary(data_dir).index()
    key = shave(q) if q else ""
    rows = []
    for song in catalog:
        have = index.get(song.id, set())
        if has_chart is not None and bool(have) != has_chart:
            continue
        if key and not any(t and key in shave(t) for t in song.titles):
            continue
        rows.append(SongSummary.model_validate(_summary(song, have)))
    return SongList(count=len(rows), shipped_catalog=catalog.shipped, songs=rows)


@router.get("/api/songs/{song_id}", response_model=SongDetail, responses={404: {"model": ErrorDetail}})
def get_song(song_id: int, data_dir: DataDir) -> SongDetail:
    catalog = _catalog(data_dir)
    song = catalog.get(song_id)
    if song is None:
        detail = f"song {song_id} is not in the catalog ({len(catalog)} songs)"
        raise HTTPException(status_code=404, detail=detail)
    have = set(ChartLibrary(data_dir).difficulties(song_id))
    return SongDetail.model_validate(
        {
            **_summary(song, have),
            "tag": song.tag,
            "published": song.published_by_server(),
            "shaved_titles": sorted({shave(t) for t in song.titles if t}),
        }
    )
