"""``/api/{module}/tasks/{task}/start|stop``, ``/api/{module}/stop`` and
``/api/{module}/reply`` (the answer to an open prompt)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import ValidationError

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS, task_or_404, unit_or_404, validation_422
from services.gateway.models import ReplyRequest, ReplyResponse, StartRequest, StartResponse, StopResponse
from shared.modules import split_unit
from shared.runtime import control

router = APIRouter(prefix="/api", responses=ERRORS, tags=["tasks"])


@router.post("/{module}/tasks/{task}/start", response_model=StartResponse)
def start(module: str, task: str, gw: GatewayDep, body: StartRequest | None = None) -> StartResponse:
    task_or_404(module, task)
    base, device = split_unit(module)
    if device and device not in gw.unit_devices:
        raise HTTPException(
            404, f"no device {device!r} beside the first in the device list (GET /api/devices)"
        )
    overrides = body.config if body else {}
    if overrides:
        try:
            gw.store.merged(base, overrides)
        except ValidationError as exc:
            raise validation_422(exc, ("body", "config")) from exc
    try:
        job_id = control.start_task(gw.r, module, task, overrides)
    except control.ControlError as exc:
        raise HTTPException(exc.status_code, str(exc)) from exc
    return StartResponse(module=module, task=task, job_id=job_id)


@router.post("/{module}/tasks/{task}/stop", response_model=StopResponse)
def stop_task(module: str, task: str, gw: GatewayDep) -> StopResponse:
    task_or_404(module, task)
    return StopResponse(**control.stop_module(gw.r, module, task))


@router.post("/{module}/stop", response_model=StopResponse)
def stop_module(module: str, gw: GatewayDep) -> StopResponse:
    unit_or_404(module)
    return StopResponse(**control.stop_module(gw.r, module))


@router.post("/{module}/reply", response_model=ReplyResponse)
def reply(module: str, body: ReplyRequest, gw: GatewayDep) -> ReplyResponse:
    unit_or_404(module)
    try:
        prompt = control.reply(gw.r, module, body.answer, body.text, body.prompt_id)
    except control.ControlError as exc:
        raise HTTPException(exc.status_code, str(exc)) from exc
    return ReplyResponse(module=module, prompt_id=prompt.prompt_id, answer=body.answer)
