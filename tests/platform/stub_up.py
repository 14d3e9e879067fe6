"""``tests.launcher`` whose fetch worker runs a test-only body (``tests.platform.stubborn``
with ``STUB_ENTRY``); patched in this process only. Run as
``python -m tests.platform.stub_up [--port P] [--data-dir D]``."""

from __future__ import annotations

import sys

from services.cli import apply_options, build_parser
from services.launcher import Child
from shared.settings import get_settings
from tests.launcher import TestLauncher


class StubLauncher(TestLauncher):
    __test__ = False

    @staticmethod
    def plan() -> list[Child]:
        children = TestLauncher.plan()
        for child in children:
            if child.name == "worker:fetch":
                child.argv = [sys.executable, "-m", "tests.platform.stubborn"]
        return children


def main() -> int:
    args = build_parser().parse_args(["up", *sys.argv[1:]])
    apply_options(args)
    settings = get_settings()
    return StubLauncher(settings, settings.host, settings.port, settings.data_dir.resolve()).run()


if __name__ == "__main__":
    sys.exit(main())
