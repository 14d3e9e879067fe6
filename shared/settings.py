"""Settings from the environment (prefix ``AUTOBANG_``), one place for every tunable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTOBANG_", extra="ignore")

    # None means "start our own redis-server" (the embedded default, `autobang up`).
    redis_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "data"
    host: str = "127.0.0.1"
    port: int = 8000
    bestdori_url: str = "https://bestdori.com"
    # Bestdori client: per-request timeout, retries on 5xx/timeouts with exponential backoff
    # from bestdori_backoff_s, and at least bestdori_interval_s between requests (politeness).
    bestdori_timeout_s: float = 20.0
    bestdori_retries: int = 3
    bestdori_backoff_s: float = 1.0
    bestdori_interval_s: float = 0.5
    # Events kept per module stream (XADD MAXLEN ~); a reconnecting client older than this
    # gets a "trimmed" marker.
    stream_maxlen: int = 10_000
    # Seconds a task may ignore a stop request before its work-horse is killed.
    stop_grace_s: float = 5.0
    # Events buffered per WebSocket before the gateway closes it as too slow (it reconnects
    # with its cursor and loses nothing within stream_maxlen).
    ws_queue_max: int = 20_000
    log_level: str = "info"

    @property
    def resolved_redis_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
