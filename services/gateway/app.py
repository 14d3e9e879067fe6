"""The gateway: REST control API, the ``/ws`` event socket and the built dashboard, on one
origin. Listens on 127.0.0.1 unless told otherwise (``AUTOBANG_HOST``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from fastapi import APIRouter, Body, FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.websockets import WebSocketState

from services.gateway import screenshots, songs
from services.gateway.hub import Client, Hub, StreamId, trimmed_marker, was_trimmed
from services.gateway.models import (
    ColorResponse,
    ConfigDoc,
    ErrorDetail,
    Health,
    LatestImage,
    ModuleInfo,
    ModuleState,
    ReplyRequest,
    ReplyResponse,
    SnapshotModule,
    SongCheckResponse,
    StartRequest,
    StartResponse,
    StopResponse,
    TaskInfo,
)
from services.gateway.origin import SameOriginGuard
from services.gateway.wire import add_wire_schemas
from shared import keys
from shared.chart.library import check_song_id
from shared.event_schema import ProgressData
from shared.modules import MODULE_NAMES, MODULES, ModuleSpec, get_module
from shared.runtime import control
from shared.runtime.config_store import ConfigStore
from shared.runtime.connection import TextRedis, connect, connect_bytes, redis_url
from shared.runtime.images import latest_images
from shared.runtime.publish import last_id, wire
from shared.runtime.registry import publish_registry
from shared.runtime.state import open_prompt, read_state, state_data
from shared.runtime.streamids import is_valid_id, parse_id
from shared.screens import get_avail_state
from shared.settings import PROJECT_ROOT, Settings, get_settings
from shared.weight_titles import get_all_weight_title

log = logging.getLogger(__name__)

RECONCILE_S = 1.0
FRAME_CHARS = 1 << 20  # a batch frame stops growing here (1 MiB of JSON, ~5,000 log events)
WS_DOC = (
    "Events: `WS /ws[?since=<module>:<id>,...][&batch=1]` sends a `SnapshotMessage`, then "
    "events (`WsMessage`); see docs/platform.md."
)
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail},
    409: {"model": ErrorDetail},
}


def _module(name: str) -> ModuleSpec:
    try:
        return get_module(name)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


def _task(module: str, task: str) -> None:
    try:
        _module(module).task(task)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


def _validation_422(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> RequestValidationError:
    errors = [{**e, "loc": (*prefix, *e["loc"])} for e in exc.errors(include_url=False)]
    return RequestValidationError(errors)


def module_state(r: TextRedis, module: str) -> ModuleState:
    raw = read_state(r, module)
    base = state_data(raw)
    prompt = open_prompt(raw)
    progress = raw.get("progress") or ""
    return ModuleState(
        **base.model_dump(),
        prompt=prompt,
        progress=ProgressData.model_validate_json(progress) if progress else None,
        last_id=last_id(r, module),
    )


def module_images(r: TextRedis, module: str) -> dict[str, LatestImage]:
    return {kind: LatestImage.model_validate(rec) for kind, rec in sorted(latest_images(r, module).items())}


def snapshot_module(r: TextRedis, module: str) -> SnapshotModule:
    # images after the state: an image newer than ``last_id`` also arrives as a live event
    state = module_state(r, module)
    return SnapshotModule(**state.model_dump(), images=module_images(r, module))


def create_app(settings: Settings | None = None, dashboard: Path | None = None) -> FastAPI:
    """The gateway app; ``dashboard`` is the built UI folder (default ``frontend/dist``)."""
    settings = settings or get_settings()
    url = redis_url(settings.redis_url)
    r = connect(url)
    rb = connect_bytes(url)
    store = ConfigStore(r, settings.data_dir)
    hub = Hub(url, settings.ws_queue_max)
    # The registry is fixed for the process: build the config JSON Schemas once, not per request.
    config_schemas = {spec.name: spec.config_model.model_json_schema() for spec in MODULES}

    async def reconciler() -> None:
        while True:
            await asyncio.sleep(RECONCILE_S)
            for m in MODULE_NAMES:
                try:
                    await asyncio.to_thread(control.reconcile, r, rb, m)
                except Exception:
                    log.exception("reconcile %s failed", m)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        publish_registry(r)
        store.restore()
        await hub.start()
        rec = asyncio.create_task(reconciler(), name="reconciler")
        yield
        rec.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rec
        await hub.stop()

    app = FastAPI(title="AutoBangDream", version="0.1.0", lifespan=lifespan)
    app.add_middleware(SameOriginGuard)
    app.state.settings = settings
    api = APIRouter(prefix="/api", responses=ERRORS)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        try:
            r.ping()
            beats = r.mget([keys.worker_heartbeat(m) for m in MODULE_NAMES])
        except Exception:
            return Health(ok=False, redis=False, workers={m: False for m in MODULE_NAMES})
        workers = {m: bool(b) for m, b in zip(MODULE_NAMES, beats, strict=True)}
        return Health(ok=True, redis=True, workers=workers)

    @api.get("/modules", response_model=list[ModuleInfo], tags=["modules"])
    def modules() -> list[ModuleInfo]:
        out = []
        for spec in MODULES:
            version, _ = store.get(spec.name)
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
                    state=module_state(r, spec.name),
                    config_version=version,
                    config_schema=config_schemas[spec.name],
                )
            )
        return out

    @api.get("/{module}/state", response_model=ModuleState, tags=["modules"])
    def get_state(module: str) -> ModuleState:
        _module(module)
        return module_state(r, module)

    @api.get("/{module}/config", response_model=ConfigDoc, tags=["config"])
    def get_config(module: str) -> ConfigDoc:
        _module(module)
        version, config = store.get(module)
        return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))

    @api.put("/{module}/config", response_model=ConfigDoc, tags=["config"])
    def put_config(module: str, body: dict[str, Any] = Body(...)) -> ConfigDoc:  # noqa: B008
        spec = _module(module)
        try:
            config = spec.config_model.model_validate(body)
        except ValidationError as exc:
            raise _validation_422(exc) from exc
        version = store.put(module, config)
        return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))

    @api.post("/{module}/update_config", response_model=ConfigDoc, tags=["config"])
    def update_config(module: str, body: dict[str, Any] = Body(...)) -> ConfigDoc:  # noqa: B008
        _module(module)
        try:
            config = store.merged(module, body)
        except ValidationError as exc:
            raise _validation_422(exc) from exc
        version = store.put(module, config)
        return ConfigDoc(module=module, version=version, config=config.model_dump(mode="json"))

    @api.post("/{module}/tasks/{task}/start", response_model=StartResponse, tags=["tasks"])
    def start(module: str, task: str, body: StartRequest | None = None) -> StartResponse:
        _task(module, task)
        overrides = body.config if body else {}
        if overrides:
            try:
                store.merged(module, overrides)
            except ValidationError as exc:
                raise _validation_422(exc, ("body", "config")) from exc
        try:
            job_id = control.start_task(r, module, task, overrides)
        except control.ControlError as exc:
            raise HTTPException(exc.status_code, str(exc)) from exc
        return StartResponse(module=module, task=task, job_id=job_id)

    @api.post("/{module}/tasks/{task}/stop", response_model=StopResponse, tags=["tasks"])
    def stop_task(module: str, task: str) -> StopResponse:
        _task(module, task)
        return StopResponse(**control.stop_module(r, module, task))

    @api.post("/{module}/stop", response_model=StopResponse, tags=["tasks"])
    def stop_module(module: str) -> StopResponse:
        _module(module)
        return StopResponse(**control.stop_module(r, module))

    @api.post("/{module}/reply", response_model=ReplyResponse, tags=["tasks"])
    def reply(module: str, body: ReplyRequest) -> ReplyResponse:
        _module(module)
        try:
            prompt = control.reply(r, module, body.answer, body.text, body.prompt_id)
        except control.ControlError as exc:
            raise HTTPException(exc.status_code, str(exc)) from exc
        return ReplyResponse(module=module, prompt_id=prompt.prompt_id, answer=body.answer)

    @api.get("/{module}/images", response_model=list[LatestImage], tags=["modules"], responses=ERRORS)
    def images(module: str) -> list[LatestImage]:
        """The latest image of each kind the module published (sorted by kind)."""
        _module(module)
        return list(module_images(r, module).values())

    @api.get(
        "/{module}/images/{kind}",
        tags=["modules"],
        responses={200: {"content": {"image/png": {}}}, 404: {"model": ErrorDetail}},
    )
    def image(module: str, kind: str) -> Response:
        _module(module)
        png = rb.get(keys.image_key(module, kind))
        if png is None:
            raise HTTPException(404, f"{module} has published no {kind!r} image yet")
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @api.get("/scriptor/available-states", response_model=list[str], tags=["scriptor"])
    def available_states() -> list[str]:
        return get_avail_state()

    @api.get("/scriptor/weight-titles", response_model=list[str], tags=["scriptor"])
    def weight_titles() -> list[str]:
        return get_all_weight_title()

    @api.get("/scriptor/check-song/{song_id}", response_model=SongCheckResponse, tags=["scriptor"])
    def check_song(song_id: int) -> SongCheckResponse:
        try:
            result = check_song_id(song_id, settings.data_dir)
        except Exception as exc:  # a broken library must not break the form
            return SongCheckResponse(song_id=song_id, ok=False, message=f"cannot check song {song_id}: {exc}")
        return SongCheckResponse(song_id=song_id, ok=result.ok, message=result.message)

    @api.get("/workflow/color", response_model=ColorResponse, tags=["workflow"])
    def get_color(x: int = Query(..., ge=0), y: int = Query(..., ge=0), kind: str = "frame") -> ColorResponse:
        png = rb.get(keys.image_key("workflow", kind))
        if png is None:
            raise HTTPException(404, "workflow has published no frame yet: start the workflow task")
        frame = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        if frame is None:
            raise HTTPException(500, "the latest frame is not a readable PNG")
        h, w = frame.shape[:2]
        if x >= w or y >= h:
            raise RequestValidationError(
                [
                    {
                        "type": "less_than",
                        "loc": ("query", "x" if x >= w else "y"),
                        "msg": f"must be inside the {w}x{h} frame",
                        "input": x if x >= w else y,
                    }
                ]
            )
        b, g, rr = (int(v) for v in frame[y, x])
        hh, s, v = (int(c) for c in cv2.cvtColor(frame[y : y + 1, x : x + 1], cv2.COLOR_BGR2HSV)[0, 0])
        return ColorResponse(
            x=x, y=y, bgr=(b, g, rr), hsv=(hh, s, v), frame_url=f"/api/workflow/images/{kind}"
        )

    app.include_router(songs.router)  # owns its /api/songs paths
    app.include_router(screenshots.create_router(settings.data_dir, lambda m: store.get(m)[1]))
    app.include_router(api)

    @app.websocket("/ws")
    async def ws(socket: WebSocket, since: str = "", batch: bool = False) -> None:
        await stream_events(socket, since, hub, r, batch=batch)

    mount_dashboard(app, dashboard or PROJECT_ROOT / "frontend" / "dist")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_wire_schemas(
                get_openapi(title=app.title, version=app.version, routes=app.routes, description=WS_DOC)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def parse_since(since: str) -> dict[str, str]:
    """``scriptor:1-0,fetch:5-2`` -> {module: id}; unknown modules and bad ids are ignored."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in since.split(","))):
        module, _, sid = part.rpartition(":")
        if module in MODULE_NAMES and is_valid_id(sid):
            out[module] = sid
    return out


async def stream_events(
    socket: WebSocket, since: str, hub: Hub, r: TextRedis, *, batch: bool = False
) -> None:
    """Snapshot, then replay from ``since`` (with a ``trimmed`` marker where the stream no
    longer holds what was asked), then live events, each exactly once and in order."""
    await socket.accept()
    client = hub.add()  # live events buffer from here on; replay below fills the gap
    try:
        cursors = parse_since(since)
        snapshot: dict[str, Any] = {}
        for m in MODULE_NAMES:
            state = await asyncio.to_thread(snapshot_module, r, m)
            snapshot[m] = state.model_dump(mode="json")
        await socket.send_text(json.dumps({"type": "snapshot", "modules": snapshot}))
        sent: dict[str, StreamId] = {}
        for m in MODULE_NAMES:
            if m not in cursors:
                sent[m] = parse_id(snapshot[m]["last_id"])
                continue
            sent[m] = parse_id(cursors[m])
            info = (
                await hub.r.xinfo_stream(keys.events_stream(m))
                if await hub.r.exists(keys.events_stream(m))
                else None
            )
            if info is not None and was_trimmed(info, sent[m]):
                await socket.send_text(trimmed_marker(m, info, cursors[m]))
            start = f"({cursors[m]}"
            while True:
                entries = await hub.r.xrange(keys.events_stream(m), min=start, count=1000)
                texts = [wire(m, entry_id, fields) for entry_id, fields in entries]
                if batch and texts:
                    await socket.send_text("[" + ",".join(texts) + "]")
                else:
                    for text in texts:
                        await socket.send_text(text)
                if entries:
                    sent[m] = parse_id(entries[-1][0])
                if len(entries) < 1000:
                    break
                start = f"({entries[-1][0]}"
        await pump(socket, client, sent, batch)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(client)
        if socket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await socket.close()


async def pump(socket: WebSocket, client: Client, sent: dict[str, StreamId], batch_frames: bool) -> None:
    """Live events to the socket, skipping what the replay already sent. With ``batch``
    (``/ws?batch=1``) every frame is a JSON array of all the events ready at that moment
    (up to ``FRAME_CHARS``): one send per burst instead of per event. Sends go to the raw
    ASGI ``send``: the socket is accepted, so Starlette's state checks add nothing."""
    send = socket._send  # a disconnect surfaces as OSError (uvicorn's ClientDisconnected)

    async def receive() -> None:
        try:
            while True:  # the client may send pings; a disconnect ends the socket
                msg = await socket.receive()
                if msg["type"] == "websocket.disconnect":
                    return
        finally:
            client.close()

    reader = asyncio.create_task(receive())
    try:
        while True:
            await client.wake.wait()
            if client.closed:
                return
            if client.overflowed:
                await socket.close(code=4008, reason="too slow: reconnect with since=<last ids>")
                return
            chunks = client.take()
            if batch_frames:
                parts: list[str] = []
                size = 0
                for chunk in chunks:
                    if chunk.marker:
                        if parts:
                            await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
                            parts, size = [], 0
                        await send({"type": "websocket.send", "text": chunk.marker})
                        continue
                    texts = chunk.after(sent)
                    part = chunk.joined if texts is None else ",".join(texts)
                    if part:
                        parts.append(part)
                        size += len(part)
                    if size >= FRAME_CHARS:
                        await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
                        parts, size = [], 0
                        await asyncio.sleep(0)
                if parts:
                    await send({"type": "websocket.send", "text": "[" + ",".join(parts) + "]"})
            else:
                for chunk in chunks:
                    if chunk.marker:
                        await send({"type": "websocket.send", "text": chunk.marker})
                    texts = chunk.after(sent)
                    for text in chunk.texts if texts is None else texts:
                        await send({"type": "websocket.send", "text": text})
                    # A send that need not wait does not yield: let the reader run between
                    # chunks, or under overload it falls behind the stream's trimming.
                    await asyncio.sleep(0)
    except OSError:
        return  # the client went away mid-send
    finally:
        reader.cancel()


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
