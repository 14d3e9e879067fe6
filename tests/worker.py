"""A module's real RQ worker whose tasks run the test bodies (``tests/bodies.py``) instead
of the module's own: ``python -m tests.worker <module>``. The registry is patched in this
process only; names, flags and config models stay the registry's."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping

import shared.modules as registry
from shared.runtime.worker import run_worker
from tests.bodies import BODIES


def patch_entries(entries: Mapping[tuple[str, str], str]) -> None:
    """Point the given (module, task) entries of this process's registry elsewhere."""
    registry.MODULES = tuple(
        dataclasses.replace(
            m,
            tasks=tuple(
                dataclasses.replace(t, entry=entries.get((m.name, t.name), t.entry)) for t in m.tasks
            ),
        )
        for m in registry.MODULES
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.worker")
    parser.add_argument("module", choices=registry.MODULE_NAMES)
    args = parser.parse_args(argv)
    patch_entries(BODIES)
    run_worker(args.module)


if __name__ == "__main__":
    main()
