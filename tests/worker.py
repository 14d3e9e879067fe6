"""A module's real RQ worker whose tasks run the test bodies (``tests/bodies.py``) instead
of the module's own: ``python -m tests.worker <module>``. The registry is patched in this
process only; names, flags and config models stay the registry's. Modules named in
``AUTOBANG_TEST_REAL_BODIES`` (comma-separated) keep their real bodies: the dashboard's
browser tests run the real workflow against the simulated game."""

from __future__ import annotations

import argparse
import dataclasses
import os
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
    real = {m.strip() for m in os.environ.get("AUTOBANG_TEST_REAL_BODIES", "").split(",") if m.strip()}
    patch_entries({key: entry for key, entry in BODIES.items() if key[0] not in real})
    run_worker(args.module)


if __name__ == "__main__":
    main()
