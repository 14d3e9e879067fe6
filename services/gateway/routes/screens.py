"""``/api/screens/coverage``: per screen state, the frames the screen gallery has and how
sure the scriptor's recent placements were (services/recognition/ui/coverage.py), for the
UI Recognition tab: what to teach next."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS
from shared.screen_coverage import StateCoverage, coverage

router = APIRouter(prefix="/api/screens", responses=ERRORS, tags=["ui_recognition"])


@router.get("/coverage", response_model=list[StateCoverage])
def screen_coverage(gw: GatewayDep) -> list[StateCoverage]:
    return coverage(gw.settings.data_dir)
