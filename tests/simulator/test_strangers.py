"""The stand-in and the player stay strangers: the simulator imports neither the scriptor
nor the recognisers (it draws the game from the catalogue and shared facts only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_simulator_imports_neither_the_scriptor_nor_the_recognisers() -> None:
    code = (
        "import pkgutil, importlib, sys\n"
        "import services.simulator as sim\n"
        "for m in pkgutil.iter_modules(sim.__path__):\n"
        "    importlib.import_module(f'services.simulator.{m.name}')\n"
        "from services.simulator.screens import sample_screen\n"
        "import numpy as np\n"
        "rng = np.random.default_rng(0)\n"
        "for s in ('choose', 'ready', 'playing', 'award'):\n"
        "    sample_screen(s, rng)\n"  # the lazy imports of drawing titles and levels too
        "others = ('services.scriptor', 'services.recognition')\n"
        "bad = sorted(n for n in sys.modules if n.startswith(others))\n"
        "print(' '.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    assert out.stdout.strip() == "", f"the simulator imported {out.stdout.strip()}"
