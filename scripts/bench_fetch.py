"""Benchmark the fetch module's local work: loading the catalog, parsing charts (with the
errata layer), shaving every title. Prints numbers; record them in docs/fetch.md.

    .venv/bin/python scripts/bench_fetch.py [data dir with songs-all.json and charts/, default shared/data]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.fetch.special_char import report  # noqa: E402
from shared.catalog import Catalog, load_songs_all  # noqa: E402
from shared.chart.library import ChartLibrary  # noqa: E402


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "shared" / "data"
    songs = ref / "songs-all.json"
    t = best_of(5, lambda: load_songs_all(songs))
    cat = Catalog(load_songs_all(songs), songs, True)
    size_kib = songs.stat().st_size / 1024
    print(f"parse songs-all.json ({size_kib:.0f} KiB, {len(cat)} songs): {t * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        lib = ChartLibrary(Path(tmp))
        lib.dir.mkdir(parents=True)
        for p in sorted((ref / "charts").glob("*_?.bestdori")):
            shutil.copy(p, lib.dir / p.name)
        for sid, diffs in sorted(lib.index().items()):
            for d in sorted(diffs):
                size = lib.path(sid, d).stat().st_size
                t = best_of(5, lambda s=sid, d=d: lib.load(s, d))  # type: ignore[misc]
                chart = lib.load(sid, d)
                what = f"{sid}_{d} ({size / 1024:.0f} KiB, {chart.note_count} notes)"
                print(f"load chart {what}: {t * 1000:.2f} ms")
    t = best_of(3, lambda: report(cat))
    print(f"SpecialChar report over {len(cat)} songs: {t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
