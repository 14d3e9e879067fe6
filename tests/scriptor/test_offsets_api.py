"""``/api/scriptor/offsets`` on the real gateway: the devices' offsets as the scriptor keeps
them, and the user's set / pin."""

from __future__ import annotations

import httpx

from services.testing.stack import Stack
from shared.device_offsets import OffsetStore


def test_the_gateway_lists_sets_and_pins_device_offsets(stack: Stack) -> None:
    store = OffsetStore(stack.data_dir)
    store.current("sim:emulator-5554", 0, "the device's own touch latency (0 ms)")
    url = f"{stack.url}/api/scriptor/offsets"
    rows = {r["device"]: r for r in httpx.get(url, timeout=10).json()}
    assert rows["sim:emulator-5554"]["offset_us"] == 0 and not rows["sim:emulator-5554"]["pinned"]
    r = httpx.put(f"{url}/sim:emulator-5554", json={"offset_ms": -12.5, "pinned": True}, timeout=10)
    assert r.status_code == 200 and r.json()["offset_us"] == -12_500 and r.json()["pinned"]
    kept = store.get("sim:emulator-5554")
    assert kept is not None and kept.pinned and kept.moves[-1].why == "set by the user"
    r = httpx.put(f"{url}/sim:emulator-5554", json={"pinned": False}, timeout=10)
    assert r.status_code == 200 and r.json()["offset_us"] == -12_500 and not r.json()["pinned"]
    missing = httpx.put(f"{url}/127.0.0.1:7555", json={"pinned": True}, timeout=10)
    assert missing.status_code == 404 and "give offset_ms" in missing.text
    bad = httpx.put(f"{url}/sim:emulator-5554", json={"offset_ms": "soon", "pinned": True}, timeout=10)
    assert bad.status_code == 422


def test_the_gateway_lists_screen_models_and_goes_back_to_the_shipped_one(stack: Stack) -> None:
    url = f"{stack.url}/api/ui_recognition/models"
    listed = httpx.get(url, timeout=10).json()
    assert listed[0]["name"] == "shipped"
    r = httpx.post(f"{url}/use-shipped", timeout=10)
    assert r.status_code == 200 and any(m["name"] == "shipped" and m["in_use"] for m in r.json()["models"])
