"""The recognition command lines' common ending: a bad file or argument is one line
``error: ...`` on stderr and exit code 2, not a traceback."""

from __future__ import annotations

import argparse
import sys


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse ``argv`` and call the chosen subcommand's ``fn(args) -> int``."""
    args = parser.parse_args(argv)
    try:
        return int(args.fn(args))
    except (ValueError, FileNotFoundError) as exc:  # ModelFileError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
