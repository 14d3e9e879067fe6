"""``/api/ui_recognition/models``: the screen models (in use, shipped, kept aside with their
reason) and the way back to the shipped one in one click. The scriptor reads the model when
it starts: a switch takes effect at its next start."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS
from shared.screen_models import ModelEntry, list_models, use_shipped

router = APIRouter(prefix="/api/ui_recognition/models", responses=ERRORS, tags=["ui_recognition"])


class UseShipped(BaseModel):
    moved_to: str | None  # where the trained model went (None: the shipped one was in use)
    models: list[ModelEntry]


@router.get("", response_model=list[ModelEntry])
def models(gw: GatewayDep) -> list[ModelEntry]:
    return list_models(gw.settings.data_dir)


@router.post("/use-shipped", response_model=UseShipped)
def back_to_shipped(gw: GatewayDep) -> UseShipped:
    moved = use_shipped(gw.settings.data_dir)
    return UseShipped(moved_to=moved, models=list_models(gw.settings.data_dir))
