"""The gateway: REST control API, the ``/ws`` event socket and the built dashboard, on one
origin. Listens on 127.0.0.1 unless told otherwise (``AUTOBANG_HOST``).

This module only assembles the app: the shared ``Gateway`` (``context.py``), the lifespan
(registry, config restore, hub, reconciler), middleware, the routers in ``routes/`` and
``ws.py``, the dashboard and the OpenAPI document."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp

from services.gateway import limits, ws
from services.gateway.context import Gateway
from services.gateway.origin import AccessPolicy, SameOriginGuard
from services.gateway.redis_watch import RedisDeadline, RedisWatch
from services.gateway.routes import (
    config,
    device,
    devices,
    health,
    images,
    modules,
    offsets,
    screens,
    screenshots,
    scriptor,
    songs,
    tasks,
    ui_models,
    workflow,
)
from services.gateway.wire import add_wire_schemas
from shared.runtime import control
from shared.runtime.connection import redis_url
from shared.runtime.registry import publish_registry
from shared.settings import PROJECT_ROOT, Settings, get_settings

log = logging.getLogger(__name__)

RECONCILE_S = 1.0

# Request guards, outermost first (each wraps the ones after it); each takes the settings.
MIDDLEWARE: tuple[Callable[..., ASGIApp], ...] = (SameOriginGuard, limits.BodyLimit, limits.StrictJson)

# In this order: the fixed ``/api/songs/...`` paths before the ``/api/{module}/...`` ones.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    songs.router,
    screens.router,
    screenshots.router,
    modules.router,
    config.router,
    tasks.router,
    images.router,
    scriptor.router,
    offsets.router,
    ui_models.router,
    workflow.router,
    device.router,
    devices.router,
    ws.router,
)


async def reconcile_forever(gw: Gateway) -> None:
    """Every ``RECONCILE_S``: settle each module's state with its RQ job (control.reconcile)."""
    while True:
        await asyncio.sleep(RECONCILE_S)
        for m in gw.units:
            try:
                await asyncio.to_thread(control.reconcile, gw.r, gw.rb, m)
            except Exception:
                log.exception("reconcile %s failed", m)


def create_app(settings: Settings | None = None, dashboard: Path | None = None) -> FastAPI:
    """The gateway app; ``dashboard`` is the built UI folder (default ``frontend/dist``)."""
    settings = settings or get_settings()
    if settings.ws_queue_max >= settings.stream_maxlen:
        raise SystemExit(
            f"AUTOBANG_WS_QUEUE_MAX ({settings.ws_queue_max}) must be below AUTOBANG_STREAM_MAXLEN "
            f"({settings.stream_maxlen}): a socket closed as too slow must be able to catch up"
        )
    gw = Gateway.connect(settings)
    watch = RedisWatch(redis_url(settings.redis_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        publish_registry(gw.r)
        gw.store.restore()
        await gw.hub.start()
        watch.start()
        rec = asyncio.create_task(reconcile_forever(gw), name="reconciler")
        yield
        await watch.stop()
        rec.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rec
        await gw.hub.stop()
        device.close_live_screen(app)

    # No /docs or /redoc: Swagger UI and ReDoc load scripts from a CDN onto the token's
    # origin. The schema is /openapi.json (token beyond loopback) or `autobang openapi`.
    app = FastAPI(title="AutoBangDream", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    AccessPolicy.from_settings(settings).announce()  # at start, not at the first request
    app.add_middleware(RedisDeadline, watch=watch)  # innermost: the guards below answer first
    for middleware in reversed(MIDDLEWARE):  # the last one added runs first
        app.add_middleware(middleware, settings=settings)
    limits.install_handlers(app)
    app.state.gateway = gw
    app.state.redis_watch = watch
    app.state.settings = settings  # what routes.songs reads (it also runs without a Gateway)
    for router in ROUTERS:
        app.include_router(router)
    mount_dashboard(app, dashboard or PROJECT_ROOT / "frontend" / "dist")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_wire_schemas(
                get_openapi(title=app.title, version=app.version, routes=app.routes, description=ws.DOC)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def mount_dashboard(app: FastAPI, dist: Path) -> None:
    """Serve the built dashboard at / with an SPA fallback to index.html (same origin)."""

    @app.get("/{path:path}", include_in_schema=False)
    def dashboard(path: str, request: Request) -> Response:
        if path.startswith(("api/", "ws")):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if not (dist / "index.html").is_file():
            return JSONResponse({"detail": "dashboard not built (cd frontend && npm run build)"}, 404)
        target = (dist / path).resolve()
        if path and target.is_file() and target.is_relative_to(dist.resolve()):
            return FileResponse(target)
        return FileResponse(dist / "index.html")
