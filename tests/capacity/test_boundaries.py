"""The capacity stage comes before pricing: it must not import a later stage, and it must
not read the team's shared reference files at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import estimator.capacity

LATER = (
    "estimator.pricing",
    "estimator.estimate",
    "estimator.report",
    "estimator.cli",
    "estimator.dashboard",
)
PACKAGE = Path(estimator.capacity.__file__).parent


def imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_no_later_stage_is_imported() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 10
    for path in modules:
        bad = {m for m in imported_modules(path) if m.startswith(LATER)}
        assert not bad, f"{path.name} imports {bad}"
        assert "/work/shared" not in path.read_text()
