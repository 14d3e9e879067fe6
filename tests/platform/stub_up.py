"""``autobang up`` whose fetch worker runs a test-only body (``tests.platform.stubborn``,
``STUB_ENTRY``); the launcher's plan is patched in this process only. Run as
``python -m tests.platform.stub_up up --port ... --data-dir ...``."""

from __future__ import annotations

import sys

from services.cli import main
from services.launcher import Child, Launcher

_plan = Launcher.plan


def plan() -> list[Child]:
    children = _plan()
    for child in children:
        if child.name == "worker:fetch":
            child.argv = [sys.executable, "-m", "tests.platform.stubborn"]
    return children


if __name__ == "__main__":
    Launcher.plan = staticmethod(plan)  # type: ignore[method-assign]
    sys.exit(main())
