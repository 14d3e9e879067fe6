"""``/api/scriptor/...``: what the scriptor's config form offers (states, weight titles),
whether a song id has a chart, the play history and the error bundles."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS
from services.gateway.models import ErrorDetail, SongCheckResponse
from shared import error_bundles as bundles
from shared import play_history as history
from shared.chart.library import check_song_id
from shared.screens import get_avail_state
from shared.weight_titles import get_all_weight_title

router = APIRouter(prefix="/api/scriptor", responses=ERRORS, tags=["scriptor"])


@router.get("/available-states", response_model=list[str])
def available_states() -> list[str]:
    return get_avail_state()


@router.get("/weight-titles", response_model=list[str])
def weight_titles() -> list[str]:
    return get_all_weight_title()


@router.get("/check-song/{song_id}", response_model=SongCheckResponse)
def check_song(song_id: int, gw: GatewayDep) -> SongCheckResponse:
    try:
        result = check_song_id(song_id, gw.settings.data_dir)
    except Exception as exc:  # a broken library must not break the form
        return SongCheckResponse(song_id=song_id, ok=False, message=f"cannot check song {song_id}: {exc}")
    return SongCheckResponse(song_id=song_id, ok=result.ok, message=result.message)


@router.get("/history", response_model=list[history.PlayRecord])
def play_history(
    gw: GatewayDep,
    limit: int = Query(500, ge=1, le=10_000),
    device: str | None = Query(None, max_length=200, description="only this device's plays (its serial)"),
) -> list[history.PlayRecord]:
    """The scriptor's plays, oldest first (the last ``limit``): song, difficulty, mode,
    judgement counts, FAST/SLOW, cleared or failed, the offset used, simulated or not, the
    device's serial."""
    rows = history.read(gw.settings.data_dir)
    if device is not None:
        rows = [row for row in rows if row.device == device]
    return rows[-limit:]


@router.get("/errors", response_model=list[bundles.ErrorBundle])
def error_bundles(gw: GatewayDep) -> list[bundles.ErrorBundle]:
    """The error bundles the scriptor left when it gave up, newest first: each one's name,
    reason and files (the last frames, ``states.json``, ``log.txt``)."""
    return bundles.list_bundles(gw.settings.data_dir)


@router.get(
    "/errors/{name}/{file}",
    responses={
        200: {"content": {"image/png": {}, "application/json": {}, "text/plain": {}}},
        404: {"model": ErrorDetail},
    },
)
def error_bundle_file(name: str, file: str, gw: GatewayDep) -> FileResponse:
    """One file of an error bundle (``GET /api/scriptor/errors`` lists them)."""
    try:
        path, media = bundles.bundle_file(gw.settings.data_dir, name, file)
    except (ValueError, FileNotFoundError) as exc:
        raise HTTPException(404, str(exc)) from exc
    return FileResponse(path, media_type=media, headers={"Cache-Control": "no-store"})
