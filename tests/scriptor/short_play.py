"""A data dir for one short play on the simulated game, for the dashboard's browser test
(``frontend/e2e/scriptor.e2e.ts``): the first seconds of a chart (the scriptor and the
simulator both read it from the data dir) and the song's title crop, as if the user had
fetched it and added it with add_song (``services.testing.simgame.prepare_data``). Run as
``python -m tests.scriptor.short_play DATA_DIR [--song N] [--difficulty D] [--seconds S]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from services.testing.simgame import prepare_data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.scriptor.short_play")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--song", type=int, default=316)
    parser.add_argument("--difficulty", type=int, default=3, help="0 easy .. 4 special (default expert)")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    prepare_data(args.data_dir, [(args.song, args.difficulty)], args.seconds)


if __name__ == "__main__":
    main()
