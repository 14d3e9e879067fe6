"""Helpers for the platform tests: a WebSocket event collector and waits on module state."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from services.gateway.wire import ws_message
from services.testing.stack import WAIT_S, start, wait_state
from shared.modules import MODULE_NAMES

Event = dict[str, Any]
__all__ = ["Events", "alive", "assert_answers", "start", "stop_and_wait", "wait_state", "wait_status"]


class Events:
    """A /ws client collecting every message in a background thread."""

    def __init__(self, ws_url: str, since: str = "", batch: bool = False) -> None:
        self.messages: list[Event] = []  # batch frames (arrays) are flattened
        self.frames = self.arrays = 0
        self.invalid: list[str] = []  # messages that do not match the documented wire models
        self.closed: tuple[int | None, str] | None = None
        self._cond = threading.Condition()
        query = "&".join(q for q in (f"since={since}" if since else "", "batch=1" if batch else "") if q)
        url = f"{ws_url}?{query}" if query else ws_url
        # Entered by hand (closed in close()): websockets 17 wants connect() as a context manager.
        self._ws = connect(url, max_size=None, open_timeout=10).__enter__()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for raw in self._ws:
                frame = json.loads(raw)
                for msg in frame if isinstance(frame, list) else [frame]:
                    try:
                        ws_message.validate_python(msg)
                    except ValidationError as exc:
                        self.invalid.append(f"{msg}: {exc}")
                with self._cond:
                    self.frames += 1
                    self.arrays += isinstance(frame, list)
                    self.messages.extend(frame if isinstance(frame, list) else [frame])
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self.closed = (self._ws.close_code, self._ws.close_reason or "")
                self._cond.notify_all()

    def wait_for(self, pred: Callable[[Event], bool], timeout: float = WAIT_S, after: int = 0) -> Event:
        """The first message (from index ``after``) matching ``pred``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for msg in self.messages[after:]:
                    if pred(msg):
                        return msg
                left = deadline - time.monotonic()
                if left <= 0 or self.closed is not None:
                    kinds = [(m.get("module"), m.get("type")) for m in self.messages[-20:]]
                    raise AssertionError(
                        f"no matching event within {timeout:g} s ({len(self.messages)} seen); last: {kinds}"
                    )
                self._cond.wait(left)

    def events(self, module: str | None = None) -> list[Event]:
        with self._cond:
            return [m for m in self.messages if "id" in m and (module is None or m["module"] == module)]

    def close(self) -> None:
        self._ws.close()
        self._thread.join(5)
        assert not self.invalid, f"messages off the wire contract: {self.invalid[:3]}"


def wait_status(
    url: str, module: str, *statuses: str, job_id: str | None = None, timeout: float = WAIT_S
) -> dict[str, Any]:
    return wait_state(
        url,
        module,
        lambda s: s["status"] in statuses and (job_id is None or s["job_id"] == job_id),
        timeout,
    )


def stop_and_wait(url: str, module: str) -> dict[str, Any]:
    httpx.post(f"{url}/api/{module}/stop", timeout=10)
    return wait_state(url, module, lambda s: s["status"] not in ("queued", "running", "stopping"))


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def assert_answers(url: str) -> None:
    """Every read route answers (no 500); the socket sends its snapshot."""
    paths = ["/healthz", "/api/modules"]
    for m in MODULE_NAMES:
        paths += [f"/api/{m}/state", f"/api/{m}/config"]
    paths += ["/api/ui_recognition/screenshots", "/api/song_recognition/screenshots"]
    for path in paths:
        resp = httpx.get(url + path, timeout=30)
        assert resp.status_code < 500, (path, resp.status_code, resp.text[:500])
    ws = url.replace("http://", "ws://") + "/ws"
    with connect(ws, max_size=None, open_timeout=30) as sock:
        first = json.loads(sock.recv(timeout=30))
    assert first["type"] == "snapshot" and set(first["modules"]) == set(MODULE_NAMES), first
