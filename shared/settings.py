"""Settings from the environment (prefix ``AUTOBANG_``), one place for every tunable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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

    # The game's device (docs/device.md). AUTOBANG_DEVICE: adb | adb://HOST:PORT[/SERIAL] |
    # sim[:scenario.json], parsed by shared.device.spec (a bad value is reported by the
    # device, not at start-up, so the dashboard can show it).
    device: str = "adb"
    # The local ADB server (adb mode) listens here; `adb start-server` is run when none does.
    adb_port: int = 5037
    # The emulator's ADB port: MuMu 6/X 7555, MuMu 12 16384 + 32 * instance.
    mumu_port: int = 7555
    # Where the emulator listens as seen from here: host.docker.internal inside a container.
    emulator_host: str = "127.0.0.1"
    # Screen capture backend; auto measures the available ones and keeps the fastest.
    capture: Literal["auto", "png", "raw", "stream"] = "auto"
    # Multitouch injector behind adb forward; auto tries bangcheater, then minitouch.
    touch: Literal["auto", "bangcheater", "minitouch"] = "auto"
    bangcheater_port: int = 12345
    # The game's Android package (the CN client by default), for restarts and to tell a
    # foreign app in front.
    game_package: str = "com.bilibili.star.bili"
    # Seconds one ADB request (a capture, a tap) may take before the device is reported stuck.
    device_timeout_s: float = 10.0

    @property
    def resolved_redis_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
