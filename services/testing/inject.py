"""``scripts/inject.lua`` run as users run it (``redis-cli --eval``), for the tests of what
the injection script accepts and refuses."""

from __future__ import annotations

import shutil
import subprocess

from services.testing.stack import ROOT

SCRIPT = ROOT / "scripts" / "inject.lua"


def inject(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("redis-cli")
    assert exe, "redis-cli is not installed"
    return subprocess.run(
        [exe, "-e", "-u", url, "--eval", str(SCRIPT), ",", *args],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard: a redis-cli round trip on a loaded machine
        check=False,
    )
