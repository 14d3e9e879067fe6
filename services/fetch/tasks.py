"""The fetch module's task: ``fetch(ctx)`` runs the configured ``fetch_mode``."""

from __future__ import annotations

from services.fetch import modes, special_char
from services.fetch.client import BestdoriClient
from shared.atomic_write import write_atomic
from shared.catalog import catalog_dir, load_catalog
from shared.config.fetch import FetchConfig, FetchMode
from shared.live_state import FetchLive
from shared.settings import get_settings
from shared.task_context import TaskContext


def fetch(ctx: TaskContext[FetchConfig]) -> None:
    cfg = ctx.config
    mode = FetchMode(cfg.fetch_mode)
    if mode is FetchMode.SpecialChar:
        run_special_char(ctx)
        return
    settings = get_settings()
    ctx.log(f"{mode.value} from {settings.bestdori_url}")
    client = BestdoriClient.from_settings(settings, sleep=ctx.sleep, log=lambda m: ctx.log(m, "warning"))
    with client:
        if mode is FetchMode.FetchSongHeader:
            modes.fetch_song_header(ctx, client)
        elif mode is FetchMode.FetchOne:
            modes.fetch_one(ctx, client, cfg.song_id, cfg.level)
        else:
            modes.fetch_lack(ctx, client)
        ctx.log(f"{mode.value} done ({client.requests} requests)")


def run_special_char(ctx: TaskContext[FetchConfig]) -> None:
    catalog = load_catalog(ctx.data_dir)
    text, numbers = special_char.report(catalog)
    out = catalog_dir(ctx.data_dir) / "special-char.txt"
    write_atomic(out, text.encode("utf-8"))
    ctx.log(text)
    ctx.log(f"SpecialChar report saved to {out}")
    ctx.state(FetchLive(**numbers))
    ctx.progress(1, 1, message="done")
