"""``/api/{module}/screenshots``: upload screenshots into the folder the module's interactive
task reads (``<data dir>/<config.screenshot_dir>/``) and list what is waiting there.

Only modules whose config model has a ``screenshot_dir`` field take uploads (derived from
the registry, so a new module gets the routes by adding the field). Every file is checked
on its own: at most ``MAX_BYTES``, a PNG or JPEG by its signature, header dimensions within
``MAX_SIDE`` (checked before decoding, so a small file cannot make OpenCV allocate a huge
bitmap), then it must decode with ``cv2.imdecode``. The stored name is made from the
client's name (last path part only, ``[A-Za-z0-9._-]``, the right extension) with a
``-<n>`` suffix instead of overwriting, and written atomically inside the data dir."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Annotated

import cv2
import numpy as np
from fastapi import APIRouter, File, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.gateway.context import Gateway, GatewayDep
from services.gateway.models import ErrorDetail
from shared.atomic_write import write_atomic
from shared.config.base import ModuleConfig
from shared.device import IMAGE_SUFFIXES
from shared.image_header import JPEG_MAGIC, PNG_MAGIC, jpeg_size, png_size
from shared.modules import MODULES, ModuleSpec

MAX_BYTES = 16 << 20  # 16 MiB: a 1280x720 PNG is ~1-2 MiB; 4096x4096 JPEGs fit too
MAX_SIDE = 4096
# Decoded size cap, checked on the header before decoding: a 4096x4096 PNG of one colour is
# a few KiB on the wire but 64 MiB decoded. 8 Mpx (32 MiB as RGBA) still takes any phone or
# emulator screenshot.
MAX_PIXELS = 8 << 20
LIST_CAP = 200
STEM_CHARS = 64
FIELD = "screenshot_dir"

# Name choice + write must not interleave between two uploads of the same name.
_write_lock = threading.Lock()


def upload_modules() -> list[ModuleSpec]:
    """The modules whose config has a screenshot folder."""
    return [spec for spec in MODULES if FIELD in spec.config_model.model_fields]


class ScreenshotResult(BaseModel):
    filename: str = Field(description="the name the client sent")
    ok: bool
    stored_as: str | None = Field(None, description="file name inside the folder, when stored")
    width: int | None = None
    height: int | None = None
    error: str | None = Field(None, description="why the file was refused")


class ScreenshotList(BaseModel):
    module: str
    folder: str = Field(description="the folder, relative to the data dir (config screenshot_dir)")
    count: int = Field(description="image files waiting in the folder")
    files: list[str] = Field(description=f"their names, newest first (at most {LIST_CAP})")


class ScreenshotUpload(ScreenshotList):
    results: list[ScreenshotResult] = Field(description="one per uploaded file, in request order")


class UploadIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: str


class ScreenshotRejected(ScreenshotUpload):
    """422: some files were refused (``detail`` names each); the others were stored."""

    detail: list[UploadIssue]


class RequestIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class RequestInvalid(BaseModel):
    """FastAPI's own 422 for a malformed upload (no ``files`` part, a part that is no file)."""

    detail: list[RequestIssue]


class BadImage(ValueError):
    pass


def safe_name(client_name: str | None, ext: str) -> str:
    """A file name from an untrusted one: last path part, no leading dots, only
    ``[A-Za-z0-9._-]``, a readable stem of at most ``STEM_CHARS`` and ``ext``."""
    base = re.split(r"[\\/]", client_name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)
    stem = re.sub(r"\.{2,}", ".", stem).strip("._-")[:STEM_CHARS].strip("._-")
    return f"{stem or 'screenshot'}{ext}"


def header_size(data: bytes) -> tuple[str, int, int]:
    """(extension, width, height) from the file's header; BadImage when it is not a PNG or
    JPEG or the header is unreadable."""
    if data.startswith(PNG_MAGIC):
        size = png_size(data)
        if size is None:
            raise BadImage("PNG header is truncated or corrupt")
        return ".png", size[0], size[1]
    if data.startswith(JPEG_MAGIC):
        size = jpeg_size(data)
        if size is None:
            raise BadImage("JPEG header is truncated or corrupt (no frame size)")
        return ".jpg", size[0], size[1]
    raise BadImage("not a PNG or JPEG image")


def check_image(data: bytes) -> tuple[str, int, int]:
    """(extension, width, height) of a valid upload, else BadImage saying why."""
    if not data:
        raise BadImage("the file is empty")
    if len(data) > MAX_BYTES:
        raise BadImage(f"larger than {MAX_BYTES >> 20} MiB")
    ext, w, h = header_size(data)
    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
        raise BadImage(f"{w}x{h} is outside 1x1 .. {MAX_SIDE}x{MAX_SIDE}")
    if w * h > MAX_PIXELS:
        raise BadImage(f"{w}x{h} is more than {MAX_PIXELS >> 20} Mpx decoded")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.shape[1] != w or img.shape[0] != h:
        raise BadImage(f"{'PNG' if ext == '.png' else 'JPEG'} data does not decode (corrupt or truncated)")
    return ext, w, h


def screenshot_folder(data_dir: Path, config: ModuleConfig) -> tuple[str, Path]:
    """(relative name, resolved folder); 409 when it resolves outside the data dir (e.g.
    through a symlink: the config validator already refuses '..' and absolute paths)."""
    rel = str(getattr(config, FIELD))
    root = data_dir.resolve()
    folder = (root / rel).resolve()
    if not folder.is_relative_to(root):
        raise HTTPException(409, f"{FIELD} {rel!r} resolves outside the data dir")
    return rel, folder


def listing(folder: Path) -> tuple[int, list[str]]:
    """(count, names newest first, capped) of the images the tasks will read."""
    if not folder.is_dir():
        return 0, []
    found = []
    for p in folder.iterdir():
        if p.name.startswith(".") or p.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            if p.is_file():
                found.append((p.stat().st_mtime_ns, p.name))
        except OSError:
            continue
    found.sort(key=lambda t: (-t[0], t[1]))
    return len(found), [name for _, name in found[:LIST_CAP]]


def store(folder: Path, name: str, data: bytes) -> str:
    """Write ``data`` as ``name`` (or ``stem-<n>.ext`` when taken); returns the name used."""
    stem, ext = name.rsplit(".", 1)
    with _write_lock:
        candidate, n = name, 1
        while (folder / candidate).exists():
            n += 1
            candidate = f"{stem}-{n}.{ext}"
        target = folder / candidate
        if target.resolve().parent != folder:  # defence in depth: names have no separators
            raise HTTPException(500, f"refusing to write {candidate!r} outside {folder}")
        write_atomic(target, data)
    return candidate


router = APIRouter(prefix="/api", tags=["screenshots"])


def folder_of(module: str, gw: Gateway) -> tuple[str, Path]:
    names = [spec.name for spec in upload_modules()]
    if module not in names:
        raise HTTPException(404, f"module {module!r} takes no screenshots (modules that do: {names})")
    return screenshot_folder(gw.settings.data_dir, gw.store.get(module)[1])


@router.get(
    "/{module}/screenshots",
    response_model=ScreenshotList,
    responses={404: {"model": ErrorDetail}, 409: {"model": ErrorDetail}},
)
def list_screenshots(module: str, gw: GatewayDep) -> ScreenshotList:
    rel, folder = folder_of(module, gw)
    count, files = listing(folder)
    return ScreenshotList(module=module, folder=rel, count=count, files=files)


@router.post(
    "/{module}/screenshots",
    response_model=ScreenshotUpload,
    responses={
        404: {"model": ErrorDetail},
        409: {"model": ErrorDetail},
        413: {"model": ErrorDetail, "description": "the request is over the upload limits"},
        422: {
            "model": ScreenshotRejected | RequestInvalid,
            "description": "some files refused (the rest stored), or no files part at all",
        },
    },
)
def upload_screenshots(
    module: str,
    files: Annotated[list[UploadFile], File(description="PNG or JPEG screenshots", min_length=1)],
    gw: GatewayDep,
) -> ScreenshotUpload | JSONResponse:
    limit = gw.settings.max_upload_files
    if len(files) > limit:
        raise HTTPException(413, f"{len(files)} files in one upload; at most {limit} per request")
    rel, folder = folder_of(module, gw)
    results: list[ScreenshotResult] = []
    issues: list[UploadIssue] = []
    for i, upload in enumerate(files):
        client = upload.filename or f"file {i + 1}"
        try:
            data = upload.file.read(MAX_BYTES + 1)  # one byte past the cap is enough to refuse
            ext, w, h = check_image(data)
            stored = store(folder, safe_name(upload.filename, ext), data)
        except BadImage as exc:
            msg = f"{client}: {exc}"
            results.append(ScreenshotResult(filename=client, ok=False, error=str(exc)))
            issues.append(UploadIssue(loc=["body", "files", i], msg=msg, type="invalid_image", input=client))
            continue
        results.append(ScreenshotResult(filename=client, ok=True, stored_as=stored, width=w, height=h))
    count, listed = listing(folder)
    body = ScreenshotUpload(module=module, folder=rel, count=count, files=listed, results=results)
    if issues:
        rejected = ScreenshotRejected(**body.model_dump(), detail=issues)
        return JSONResponse(rejected.model_dump(mode="json"), status_code=422)
    return body
