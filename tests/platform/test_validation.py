"""Bad input at the gateway and in inject.lua: clear 4xx answers, never a 500 or a raw Lua
error. Numbers JSON does not have (NaN, Infinity, 1e400), booleans as numbers, control
characters and the platform's own folders as a screenshot folder, a NUL in a path, and a
body of 10,000 unknown keys (a short 422, not a 1 MB one)."""

from __future__ import annotations

import json

import httpx
import pytest

from services.testing.inject import inject
from services.testing.stack import Stack

BAD_NUMBERS = ['{"epoch": NaN}', '{"epoch": Infinity}', '{"epoch": -Infinity}', '{"epoch": 1e400}']


@pytest.mark.parametrize("body", BAD_NUMBERS)
def test_numbers_json_does_not_have_are_a_422(live: Stack, body: str) -> None:
    for method, path in (
        ("PUT", "/api/ui_recognition/config"),
        ("POST", "/api/ui_recognition/update_config"),
    ):
        resp = httpx.request(
            method, live.url + path, content=body, headers={"content-type": "application/json"}
        )
        assert resp.status_code == 422, (method, path, resp.status_code, resp.text)
        assert "not accepted" in resp.text
    start = live.url + "/api/ui_recognition/tasks/train_ui_recognition/start"
    resp = httpx.post(start, content='{"config": ' + body + "}", headers={"content-type": "application/json"})
    assert resp.status_code == 422, resp.text


def test_a_boolean_is_not_a_number(live: Stack) -> None:
    resp = httpx.post(f"{live.url}/api/ui_recognition/update_config", json={"epoch": True})
    assert resp.status_code == 422 and "epoch must be a number" in resp.text, resp.text


@pytest.mark.parametrize("folder", ["x\u0000y", "a\nb", ".", "./", "redis", "redis/x", "run", "config/x"])
def test_a_screenshot_folder_is_a_plain_folder_of_the_data_dir(live: Stack, folder: str) -> None:
    resp = httpx.post(f"{live.url}/api/ui_recognition/update_config", json={"screenshot_dir": folder})
    assert resp.status_code == 422, (folder, resp.text)
    # Listing and uploading still work on the folder that was kept.
    assert httpx.get(f"{live.url}/api/ui_recognition/screenshots").status_code == 200


@pytest.mark.parametrize("path", ["/index.html%00", "/api/scriptor/errors/x%00y", "/%01"])
def test_a_control_character_in_a_path_is_a_404(live: Stack, path: str) -> None:
    resp = httpx.get(live.url + path)
    assert resp.status_code == 404, (path, resp.status_code, resp.text)


def test_ten_thousand_unknown_keys_get_a_short_422(live: Stack) -> None:
    body = {f"key{i}": i for i in range(10_000)}
    resp = httpx.post(f"{live.url}/api/ui_recognition/update_config", json=body)
    assert resp.status_code == 422
    assert len(resp.content) < 10_000, len(resp.content)
    detail = resp.json()["detail"]
    assert detail[-1]["type"] == "too_many_errors" and "more errors" in detail[-1]["msg"]


@pytest.mark.parametrize("raw", ['{"epoch": 1e400}', '{"epoch": -1e400}'])
def test_inject_refuses_numbers_beyond_a_double_readably(inject_url: str, raw: str) -> None:
    out = inject(inject_url, "ui_recognition", "train_ui_recognition", raw)
    text = out.stdout + out.stderr
    assert out.returncode == 1 and "INVALID_CONFIG" in text, text
    assert "Cannot serialise" not in text and "user_script" not in text, text
    json.dumps(text)
