"""``/api/modules`` (the registry with each module's state and config schema) and
``/api/{module}/state``."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.context import GatewayDep
from services.gateway.errors import ERRORS, unit_or_404
from services.gateway.models import ModuleInfo, ModuleState, TaskInfo
from services.gateway.module_view import module_state
from shared.modules import MODULES

router = APIRouter(prefix="/api", responses=ERRORS, tags=["modules"])


@router.get("/modules", response_model=list[ModuleInfo])
def modules(gw: GatewayDep) -> list[ModuleInfo]:
    out = []
    for spec in MODULES:
        version, _ = gw.store.get(spec.name)
        out.append(
            ModuleInfo(
                name=spec.name,
                title=spec.title,
                tasks=[
                    TaskInfo(
                        name=t.name,
                        title=t.title,
                        uses_device=t.uses_device,
                        interactive=t.interactive,
                        placeholder=t.placeholder,
                    )
                    for t in spec.tasks
                ],
                state=module_state(gw.r, spec.name),
                config_version=version,
                config_schema=gw.config_schemas[spec.name],
            )
        )
    return out


@router.get("/{module}/state", response_model=ModuleState)
def get_state(module: str, gw: GatewayDep) -> ModuleState:
    unit_or_404(module)
    return module_state(gw.r, module)
