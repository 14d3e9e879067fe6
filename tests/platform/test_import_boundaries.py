"""Who may import whom: the gateway reads the formats in ``shared/`` and imports no task
module; the play engine and the workflow share the note detector through ``shared/``
without importing each other; scripts and the product import the test harness
(``services.testing``), never ``tests``; no test module imports another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

# folder -> modules (and their submodules) none of its files may import
FORBIDDEN = {
    "services/gateway": ("services.scriptor", "services.workflow", "services.recognition", "services.fetch"),
    "services/workflow": ("services.scriptor",),
    "services/scriptor": ("services.workflow",),
    "services": ("tests",),
    "shared": ("tests",),
    "scripts": ("tests",),
}


def imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_imports(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == m or name.startswith(m + ".") for m in FORBIDDEN[package])
    ]
    assert not bad, bad


def test_no_test_module_imports_another() -> None:
    bad = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for name in imported(path)
        if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    )
    assert not bad, bad
