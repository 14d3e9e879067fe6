"""Limits and error answers every route shares:

- request bodies: at most ``AUTOBANG_MAX_BODY_BYTES`` (1 MiB), a screenshot upload at most
  ``AUTOBANG_MAX_UPLOAD_BYTES`` (64 MiB); larger ones get 413 (from ``Content-Length`` at
  once, or when the streamed body passes the limit), never read into memory whole;
- a 422 shows only a short excerpt of bad input (``input`` as at most ``EXCERPT`` characters);
- a body FastAPI cannot decode: the documented 422, not an undocumented 400;
- Redis unreachable (restart, stall): 503 with JSON, not a plain-text 500;
- JSON bodies are read strictly (``StrictJson``): NaN, Infinity and numbers beyond a double
  (``1e400``) are a 422, not a value that later fails to serialise (a 500);
- a 422 lists at most ``MAX_ERRORS`` errors (10,000 unknown keys are not a 1 MB answer);
- a path with a NUL or another control character is a 404 (no filesystem call sees it).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.runtime.connection import TRANSIENT
from shared.settings import Settings

EXCERPT = 200
MAX_ERRORS = 20
UPLOAD_PATH = re.compile(r"^/api/[^/]+/screenshots$")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than {limit} bytes")


def body_limit(scope: Scope, settings: Settings) -> int:
    if scope["method"] == "POST" and UPLOAD_PATH.match(scope["path"]):
        return settings.max_upload_bytes
    return settings.max_body_bytes


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope, self.settings)
        for key, value in scope["headers"]:
            if key.lower() == b"content-length" and value.isdigit() and int(value) > limit:
                await JSONResponse({"detail": BodyTooLarge(limit).detail}, 413)(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)  # FastAPI lets an HTTPException through as is
            return message

        await self.app(scope, counted, send)


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is beyond the range of a number")
    return value


def strict_json_error(body: bytes) -> str:
    """Why ``body`` holds a number JSON does not have ("" when fine, or not JSON at all:
    FastAPI answers that itself)."""
    try:
        json.loads(body, parse_constant=_not_a_number, parse_float=_finite)
    except ValueError as exc:
        if "JSON number" in str(exc) or "beyond the range" in str(exc):
            return str(exc)
    except RecursionError:
        return "nested too deeply"
    return ""


def _unsafe_path(path: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in path)


class StrictJson:
    """Refuses NaN/Infinity/out-of-range numbers in JSON bodies (422) and control characters
    in paths (404) before any route sees them."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if _unsafe_path(scope["path"]):
            if scope["type"] == "http":
                await JSONResponse({"detail": "Not Found"}, 404)(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        ctype = dict(scope["headers"]).get(b"content-type", b"application/json").lower()
        if b"json" not in ctype:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
        except BodyTooLarge as exc:
            await JSONResponse({"detail": exc.detail}, 413)(scope, receive, send)
            return
        body = b"".join(chunks)
        why = strict_json_error(body)
        if why:
            issue = {"type": "json_invalid", "loc": ["body"], "msg": f"not accepted: {why}"}
            await JSONResponse({"detail": [issue]}, 422)(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def excerpt(value: Any) -> Any:
    """``value`` when short; otherwise the start of its JSON text, marked as cut."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) <= EXCERPT:
        return value
    return f"{text[:EXCERPT]}… ({len(text)} characters)"


async def short_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    found = exc.errors()
    errors = [{**e, "input": excerpt(e["input"])} if "input" in e else e for e in found[:MAX_ERRORS]]
    if len(found) > MAX_ERRORS:
        more = len(found) - MAX_ERRORS
        errors.append({"type": "too_many_errors", "loc": ["body"], "msg": f"and {more} more errors"})
    return await request_validation_exception_handler(request, RequestValidationError(errors))


BODY_UNREADABLE = "There was an error parsing the body"  # FastAPI's 400 for undecodable JSON


async def unreadable_body_as_422(request: Request, exc: Exception) -> Response:
    """FastAPI answers a body it cannot decode (not UTF-8, not JSON) with an undocumented
    400; answer the documented 422 instead, naming the body."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_UNREADABLE:
        issue = {"type": "json_invalid", "loc": ["body"], "msg": "the body is not valid JSON text (UTF-8)"}
        return JSONResponse({"detail": [issue]}, 422)
    return await http_exception_handler(request, exc)


async def redis_unavailable(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {"detail": f"Redis is unreachable right now ({type(exc).__name__}); retry shortly"}, 503
    )


def install_handlers(app: FastAPI) -> None:
    """The error answers above (``BodyLimit`` is in the app's ``MIDDLEWARE``)."""
    app.add_exception_handler(RequestValidationError, short_validation_error)
    app.add_exception_handler(StarletteHTTPException, unreadable_body_as_422)
    for error in TRANSIENT:
        app.add_exception_handler(error, redis_unavailable)
