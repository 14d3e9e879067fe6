"""Screenshot upload (``/api/{module}/screenshots``) over real HTTP: validation per file
and safe names inside the configured folder against the gateway alone (in process), and
add_song reading what was uploaded against the real stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from services.gateway.routes.screenshots import MAX_BYTES
from services.testing.stack import Stack, start, wait_state
from tests.conftest import InProcessGateway

SONG = "song_recognition"


def png(w: int = 64, h: int = 36, seed: int = 0) -> bytes:
    img = np.random.default_rng(seed).integers(0, 255, (h, w, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def jpeg(w: int = 64, h: int = 36) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((h, w, 3), 128, np.uint8))
    assert ok
    return buf.tobytes()


def upload(
    url: str, module: str, *files: tuple[str, bytes], headers: dict[str, str] | None = None
) -> httpx.Response:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return httpx.post(f"{url}/api/{module}/screenshots", files=parts, headers=headers, timeout=60)


def listed(url: str, module: str) -> dict[str, Any]:
    resp = httpx.get(f"{url}/api/{module}/screenshots", timeout=10)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def configured_folder(site: InProcessGateway | Stack) -> Iterator[Path]:
    """A fresh screenshot_dir for song_recognition (the configured folder is what uploads
    and add_song use); the previous setting is restored afterwards."""
    before = httpx.get(f"{site.url}/api/{SONG}/config").json()["config"]["screenshot_dir"]
    rel = f"uploads-{uuid.uuid4().hex[:8]}"
    resp = httpx.post(f"{site.url}/api/{SONG}/update_config", json={"screenshot_dir": rel})
    assert resp.status_code == 200, resp.text
    yield site.data_dir / rel
    httpx.post(f"{site.url}/api/{SONG}/update_config", json={"screenshot_dir": before})


@pytest.fixture
def folder(app_gateway: InProcessGateway) -> Iterator[Path]:
    yield from configured_folder(app_gateway)


@pytest.fixture
def live_folder(live: Stack) -> Iterator[Path]:
    yield from configured_folder(live)


def test_png_and_jpeg_are_stored_and_listed(app_gateway: InProcessGateway, folder: Path) -> None:
    shot, photo = png(), jpeg()
    resp = upload(app_gateway.url, SONG, ("title one.png", shot), ("photo.jpeg", photo))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [r["stored_as"] for r in body["results"]] == ["title_one.png", "photo.jpg"]
    assert [(r["width"], r["height"]) for r in body["results"]] == [(64, 36), (64, 36)]
    assert (folder / "title_one.png").read_bytes() == shot
    assert (folder / "photo.jpg").read_bytes() == photo
    assert body["count"] == 2 and body["folder"] == folder.name

    # The same name again is kept beside the first, never over it, and listed first.
    again = png(seed=1)
    resp = upload(app_gateway.url, SONG, ("title one.png", again))
    assert resp.status_code == 200, resp.text
    assert resp.json()["results"][0]["stored_as"] == "title_one-2.png"
    assert (folder / "title_one.png").read_bytes() == shot
    assert (folder / "title_one-2.png").read_bytes() == again
    doc = listed(app_gateway.url, SONG)
    assert doc["count"] == 3 and doc["files"][0] == "title_one-2.png"
    assert set(doc["files"]) == {"title_one.png", "title_one-2.png", "photo.jpg"}


def test_bad_files_are_refused_by_name_and_good_ones_kept(
    app_gateway: InProcessGateway, folder: Path
) -> None:
    good = png()
    corrupt = good[:40] + b"\x00" * 200  # a PNG header, then garbage
    text = b"these are not the pixels you are looking for\n" * 10
    oversize = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES
    too_wide = png(w=4097, h=1)
    resp = upload(
        app_gateway.url,
        SONG,
        ("corrupt.png", corrupt),
        ("notes.png", text),
        ("good.png", good),
        ("huge.png", oversize),
        ("wide.png", too_wide),
    )
    assert resp.status_code == 422, resp.text
    body = resp.json()
    msgs = {d["input"]: d["msg"] for d in body["detail"]}
    assert set(msgs) == {"corrupt.png", "notes.png", "huge.png", "wide.png"}
    assert msgs["corrupt.png"].startswith("corrupt.png:") and "decode" in msgs["corrupt.png"]
    assert "not a PNG or JPEG" in msgs["notes.png"]
    assert "16 MiB" in msgs["huge.png"]
    assert "4097x1" in msgs["wide.png"]
    assert [r["ok"] for r in body["results"]] == [False, False, True, False, False]
    assert sorted(p.name for p in folder.iterdir()) == ["good.png"]  # no temp files either

    resp = upload(app_gateway.url, SONG, ("only-bad.jpg", b"\xff\xd8\xff\xe0 truncated"))
    assert resp.status_code == 422, resp.text
    assert "only-bad.jpg" in resp.json()["detail"][0]["msg"]
    assert sorted(p.name for p in folder.iterdir()) == ["good.png"]
    assert listed(app_gateway.url, SONG)["count"] == 1


def test_client_paths_never_leave_the_folder(app_gateway: InProcessGateway, folder: Path) -> None:
    names = ["../../evil.png", "a/b.png", "..\\..\\win.png", "..", "ü ber*?.png", ".hidden.png"]
    resp = upload(app_gateway.url, SONG, *[(n, png(seed=i)) for i, n in enumerate(names)])
    assert resp.status_code == 200, resp.text
    stored = [r["stored_as"] for r in resp.json()["results"]]
    assert stored == ["evil.png", "b.png", "win.png", "screenshot.png", "ber.png", "hidden.png"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(stored)
    data = app_gateway.data_dir
    assert not (data / "evil.png").exists() and not (data.parent / "evil.png").exists()
    assert not (folder / "a").exists()


def test_modules_without_a_screenshot_folder_are_404(app_gateway: InProcessGateway) -> None:
    for module in ("fetch", "scriptor", "no-such-module"):
        assert httpx.get(f"{app_gateway.url}/api/{module}/screenshots").status_code == 404
        resp = upload(app_gateway.url, module, ("a.png", png()))
        assert resp.status_code == 404, resp.text
    assert listed(app_gateway.url, "ui_recognition")["folder"]  # the other module with a folder


def test_uploads_from_other_sites_are_refused(app_gateway: InProcessGateway, folder: Path) -> None:
    resp = upload(app_gateway.url, SONG, ("x.png", png()), headers={"Origin": "http://evil.example"})
    assert resp.status_code == 403, resp.text
    assert not folder.exists() or not any(folder.iterdir())
    own = app_gateway.url.replace("http://", "")
    resp = upload(app_gateway.url, SONG, ("x.png", png()), headers={"Origin": f"http://{own}"})
    assert resp.status_code == 200, resp.text


def test_add_song_sees_the_uploaded_screenshot(live: Stack, live_folder: Path) -> None:
    from shared.title_render import render_title

    ok, crop = cv2.imencode(".png", render_title("アップロード"))  # a 36x450 title crop
    assert ok
    resp = upload(live.url, SONG, ("from the dashboard.png", crop.tobytes()))
    assert resp.status_code == 200, resp.text
    name = resp.json()["results"][0]["stored_as"]

    job = start(live.url, SONG, "add_song")
    state = wait_state(
        live.url,
        SONG,
        lambda s: s["job_id"] == job and (bool(s.get("prompt")) or s["status"] == "failed"),
        log=live.log,
    )
    prompt = state["prompt"]
    assert prompt and name in prompt["prompt"], state
    reply = {"answer": "Stop", "text": None, "prompt_id": prompt["prompt_id"]}
    assert httpx.post(f"{live.url}/api/{SONG}/reply", json=reply, timeout=10).status_code == 200
    done = wait_state(live.url, SONG, lambda s: s["job_id"] == job and s["status"] != "running", log=live.log)
    assert done["status"] == "finished", done
