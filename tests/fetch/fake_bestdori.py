"""A Bestdori stand-in on loopback: serves the real reference files and misbehaves on
demand, so the client's retries and the fetch modes' validation meet real sockets."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from shared.catalog import DIFFICULTIES
from shared.chart.library import CHART_NAME

CHART_PATH = re.compile(r"^/api/charts/(\d+)/(\w+)\.json$")
SONGS_PATH = "/api/songs/all.5.json"

# Faults, consumed one per request from a path's queue:
#   "500" / "503"   that status with a small JSON body
#   "429"           too many requests, Retry-After: 7
#   "slow"          wait slow_s before answering (beyond the client's timeout)
#   "truncated"     Content-Length of the whole body, half of it sent, connection closed
#   "cut"           half of the body with no Content-Length (ends at close): broken JSON
#   "html"          200 with an HTML error page
#   "404"           404 page
#   "result-false"  200 with {"result": false} (how Bestdori answers some misses)
#   "cookie"        a normal answer that also sets a cookie


def fixture_charts(charts_dir: Path) -> dict[tuple[int, str], bytes]:
    out = {}
    for p in charts_dir.glob("*.bestdori"):
        m = CHART_NAME.match(p.name)  # skips the *.new-format copy
        if m:
            out[(int(m.group(1)), DIFFICULTIES[int(m.group(2))])] = p.read_bytes()
    return out


def songs_for_charts(songs_all: dict[str, Any], charts: dict[tuple[int, str], bytes]) -> dict[str, Any]:
    """The real song entries for the songs that have fixture charts, with each song's
    difficulty list cut down to those charts: a catalog whose every chart exists."""
    out: dict[str, Any] = {}
    for song_id, name in charts:
        entry = songs_all.get(str(song_id))
        if entry is None:
            continue
        e = out.setdefault(str(song_id), {**entry, "difficulty": {}})
        d = str(DIFFICULTIES.index(name))
        e["difficulty"][d] = entry["difficulty"][d]
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


class FakeBestdori:
    def __init__(self, songs_all: bytes, charts: dict[tuple[int, str], bytes], slow_s: float = 1.0) -> None:
        self.songs_all = songs_all
        self.charts = charts
        self.slow_s = slow_s
        self.faults: dict[str, deque[str]] = defaultdict(deque)
        self.always: dict[str, str] = {}  # path -> fault on every request
        self.hits: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                # The client may give up first (the "slow" fault).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def start(self) -> FakeBestdori:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, *faults: str) -> None:
        with self._lock:
            self.faults[path].extend(faults)

    def hits_for(self, path: str) -> int:
        return sum(1 for p, _ in self.hits if p == path)

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.always.clear()
            self.hits.clear()

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        with self._lock:
            self.hits.append((path, {k.lower(): v for k, v in h.headers.items()}))
            queue = self.faults.get(path)
            fault = queue.popleft() if queue else self.always.get(path, "")
        body = self._body(path)
        if fault == "slow":
            time.sleep(self.slow_s)
            fault = ""
        if body is None or fault == "404":
            return self._send(h, 404, b"<html><body>404 Not Found</body></html>", "text/html")
        if fault == "429":
            return self._send(h, 429, b'{"result": false}', extra={"Retry-After": "7"})
        if fault in ("500", "503"):
            return self._send(h, int(fault), b'{"result": false, "code": "SERVER_ERROR"}')
        if fault == "html":
            page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"
            return self._send(h, 200, page, "text/html")
        if fault == "result-false":
            return self._send(h, 200, b'{"result": false}')
        if fault == "truncated":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return None
        if fault == "cut":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.close_connection = True
            return None
        extra = {"Set-Cookie": "session=abc123; Path=/"} if fault == "cookie" else {}
        return self._send(h, 200, body, extra=extra)

    def _body(self, path: str) -> bytes | None:
        if path == SONGS_PATH:
            return self.songs_all
        m = CHART_PATH.match(path)
        if m:
            return self.charts.get((int(m.group(1)), m.group(2)))
        return None

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)


def chart_url(song_id: int, difficulty: int) -> str:
    return f"/api/charts/{song_id}/{DIFFICULTIES[difficulty]}.json"


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")
