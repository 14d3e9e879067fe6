"""``/api/{module}/config``: read, replace (``PUT``) or merge (``update_config``) a module's
config; every write is validated against the module's config model and bumps the version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import ValidationError

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS, module_or_404, validation_422
from services.gateway.models import ConfigDoc

router = APIRouter(prefix="/api", responses=ERRORS, tags=["config"])


@router.get("/{module}/config", response_model=ConfigDoc)
def get_config(module: str, gw: GatewayDep) -> ConfigDoc:
    module_or_404(module)
    version, config = gw.store.get(module)
    return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))


@router.put("/{module}/config", response_model=ConfigDoc)
def put_config(module: str, gw: GatewayDep, body: dict[str, Any] = Body(...)) -> ConfigDoc:  # noqa: B008
    spec = module_or_404(module)
    try:
        config = spec.config_model.model_validate(body)
    except ValidationError as exc:
        raise validation_422(exc) from exc
    version = gw.store.put(module, config)
    return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))


@router.post("/{module}/update_config", response_model=ConfigDoc)
def update_config(module: str, gw: GatewayDep, body: dict[str, Any] = Body(...)) -> ConfigDoc:  # noqa: B008
    module_or_404(module)
    try:
        config = gw.store.merged(module, body)
    except ValidationError as exc:
        raise validation_422(exc) from exc
    version = gw.store.put(module, config)
    return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))
