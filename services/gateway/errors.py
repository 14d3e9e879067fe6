"""The API's error answers: the documented error bodies and the 404/422 every
``/api/{module}/...`` route gives for an unknown module, task or invalid body."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.gateway.models import ErrorDetail
from shared.modules import ModuleSpec, get_module, get_unit

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail},
    409: {"model": ErrorDetail},
}


def module_or_404(name: str) -> ModuleSpec:
    try:
        return get_module(name)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


def unit_or_404(name: str) -> ModuleSpec:
    """A module, or its unit for another device (``scriptor@mumu2``): the routes that start,
    stop, answer and show a task take either."""
    try:
        return get_unit(name)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


def task_or_404(module: str, task: str) -> None:
    try:
        unit_or_404(module).task(task)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


def validation_422(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> RequestValidationError:
    """A pydantic error as FastAPI's 422, located under ``prefix`` in the request."""
    errors = [{**e, "loc": (*prefix, *e["loc"])} for e in exc.errors(include_url=False)]
    return RequestValidationError(errors)
