"""A polite Bestdori client: one request at a time, spaced out, retried on transient
failures, no cookies, and every body checked before a caller can write it anywhere."""

from __future__ import annotations

import http.cookiejar
import time
from collections.abc import Callable
from typing import Any

import httpx

from shared.catalog import DIFFICULTIES
from shared.settings import Settings
from shared.task_context import TaskError

USER_AGENT = "AutoBangDream/0.1 (self-hosted chart fetcher; one request at a time)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 120.0  # honour the server's Retry-After, within reason


class BestdoriError(TaskError):
    """A request that did not give a usable body; the message says why, for the log. A
    foreseeable failure (Bestdori down, unreachable, refusing): the task fails with this
    one line, no traceback."""


class NotFound(BestdoriError):
    """Bestdori has no such resource (e.g. a difficulty the song does not have)."""


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header (the delta form; dates are ignored)."""
    try:
        return min(max(float(value or 0), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        return 0.0


class BestdoriClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 20.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        interval_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self.interval_s = interval_s
        self._sleep = sleep  # the task's sleep, so a stop interrupts waits
        self._log = log
        self._last = float("-inf")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            follow_redirects=True,
        )
        self.requests = 0  # sent, retries included (for the log's summary)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = lambda _m: None,
    ) -> BestdoriClient:
        return cls(
            settings.bestdori_url,
            timeout_s=settings.bestdori_timeout_s,
            retries=settings.bestdori_retries,
            backoff_s=settings.bestdori_backoff_s,
            interval_s=settings.bestdori_interval_s,
            sleep=sleep,
            log=log,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BestdoriClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str) -> bytes:
        """The body of ``GET path`` after a 200. Retries 429/5xx, timeouts and broken
        connections with exponential backoff; ``NotFound`` on 404, ``BestdoriError`` on
        anything else or when the retries run out."""
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            wait = self._last + self.interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                resp = self._http.get(path)
                # A body cut short of its Content-Length raises here (RemoteProtocolError).
                body = resp.read()
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc or 'no detail'}"
                asked = 0.0
            else:
                if resp.status_code == 200:
                    return body
                if resp.status_code == 404:
                    raise NotFound(f"GET {url}: 404 not found")
                problem = f"HTTP {resp.status_code}"
                asked = _retry_after(resp.headers.get("Retry-After"))
                if resp.status_code not in RETRY_STATUS:
                    raise BestdoriError(f"GET {url}: {problem}")
            if attempt >= self.retries:
                raise BestdoriError(f"GET {url}: {problem} (gave up after {attempt + 1} tries)")
            delay = max(self.backoff_s * 2**attempt, asked)
            self._log(f"GET {url}: {problem}; retrying in {delay:.2f}s")
            self._sleep(delay)
            attempt += 1

    def songs_all(self) -> bytes:
        return self.get("/api/songs/all.5.json")

    def chart(self, song_id: int, difficulty: int) -> bytes:
        if not 0 <= difficulty < len(DIFFICULTIES):
            raise ValueError(f"difficulty index {difficulty} is not 0..{len(DIFFICULTIES) - 1}")
        return self.get(f"/api/charts/{int(song_id)}/{DIFFICULTIES[difficulty]}.json")
