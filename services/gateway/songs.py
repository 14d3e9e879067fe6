"""``/api/songs``: the song catalog for the dashboard (filled in by the fetch work)."""

from fastapi import APIRouter

router = APIRouter(tags=["songs"])
