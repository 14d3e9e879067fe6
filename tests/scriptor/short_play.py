"""A data dir for one short play on the simulated game, for the dashboard's browser test
(``frontend/e2e/scriptor.e2e.ts``): the first seconds of a chart (the scriptor and the
simulator both read it from the data dir) and the song's title crop, as if the user had
added it with add_song. Run as ``python -m tests.scriptor.short_play DATA_DIR [--song N]
[--seconds S]``."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from services.simulator.titles import title_crop
from shared.atomic_write import write_atomic
from shared.catalog import load_catalog
from shared.data import CHARTS_DIR
from tests.scriptor.test_sim_e2e import cut_chart

EXPERT = 3


def prepare(data_dir: Path, song: int, seconds: float) -> None:
    raw = (CHARTS_DIR / f"{song}_{EXPERT}.bestdori").read_bytes()
    write_atomic(data_dir / "charts" / f"{song}_{EXPERT}.bestdori", cut_chart(raw, seconds))
    ok, png = cv2.imencode(".png", title_crop(song, None, load_catalog(data_dir)))
    if not ok:
        raise RuntimeError(f"cannot encode the title crop of song {song}")
    write_atomic(data_dir / "song_recognition" / "title_imgs" / f"t-{song}.png", png.tobytes())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.scriptor.short_play")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--song", type=int, default=316)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    prepare(args.data_dir, args.song, args.seconds)


if __name__ == "__main__":
    main()
