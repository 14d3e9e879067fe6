"""``autobang up`` for tests: the real launcher (Redis, gateway, supervision, shutdown), whose
workers run the test bodies (``python -m tests.worker <module>``). Run as
``python -m tests.launcher [--port P] [--data-dir D] [--host H]``, the options of ``up``."""

from __future__ import annotations

import sys

from services.cli import apply_options, build_parser
from services.launcher import Child, Launcher
from shared.settings import get_settings


class TestLauncher(Launcher):
    __test__ = False  # not a pytest class

    @staticmethod
    def plan() -> list[Child]:
        children = Launcher.plan()
        for child in children:
            if child.name.startswith("worker:"):
                child.argv = [sys.executable, "-m", "tests.worker", child.name.removeprefix("worker:")]
        return children


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(["up", *(sys.argv[1:] if argv is None else argv)])
    apply_options(args)
    settings = get_settings()
    return TestLauncher(settings, settings.host, settings.port, settings.data_dir.resolve()).run()


if __name__ == "__main__":
    sys.exit(main())
