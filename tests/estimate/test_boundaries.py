"""Data flows one way: the estimate stage imports no later stage (report, cli, dashboard), the
report stage no cli or dashboard; neither reads the team's shared reference files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import estimator.estimate
import estimator.report

LATER = {
    "estimate": ("estimator.report", "estimator.cli", "estimator.views", "estimator.dashboard"),
    "report": ("estimator.cli", "estimator.views", "estimator.dashboard"),
}
PACKAGES = {
    "estimate": Path(estimator.estimate.__file__).parent,
    "report": Path(estimator.report.__file__).parent,
}


def imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("stage", sorted(PACKAGES))
def test_no_later_stage_is_imported(stage: str) -> None:
    modules = sorted(PACKAGES[stage].glob("*.py"))
    assert len(modules) >= 8
    for path in modules:
        bad = {m for m in imported(path) if m.startswith(LATER[stage])}
        assert not bad, f"{stage}/{path.name} imports {bad}"
        assert "/work/shared" not in path.read_text()
