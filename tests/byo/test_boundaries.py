"""Bringing your own app is one package, `estimator.onboard`, between `measure` and `sweep`:
it imports no later stage; `scenario` (TOML → validated model) imports no onboarding; and no
two modules of the onboarding path share a name with another stage's module of the same job."""

from __future__ import annotations

import ast
from pathlib import Path

import estimator.onboard
import estimator.scenario

ONBOARD = Path(estimator.onboard.__file__).parent
SCENARIO = Path(estimator.scenario.__file__).parent
LATER = (
    "estimator.sweep",
    "estimator.store",
    "estimator.capacity",
    "estimator.pricing",
    "estimator.estimate",
    "estimator.report",
    "estimator.views",
    "estimator.dashboard",
    "estimator.cli",
)


def imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_onboard_imports_no_later_stage() -> None:
    modules = sorted(ONBOARD.glob("*.py"))
    assert len(modules) >= 10
    for path in modules:
        bad = {m for m in imported(path) if m.startswith(LATER)}
        assert not bad, f"onboard/{path.name} imports {bad}"
        assert "/work/shared" not in path.read_text()


def test_scenario_is_only_the_model() -> None:
    for path in sorted(SCENARIO.rglob("*.py")):
        bad = {
            m
            for m in imported(path)
            if m.startswith("estimator.")
            and not m.startswith(
                ("estimator.scenario", "estimator._model", "estimator.errors", "estimator.paths")
            )
        }
        assert not bad, f"scenario/{path.name} imports {bad}"
    assert not (SCENARIO / "guess.py").exists()
    assert not (SCENARIO / "starter.py").exists()


def test_one_module_named_init() -> None:
    root = ONBOARD.parent
    named = sorted(str(p.relative_to(root)) for p in root.rglob("init.py"))
    assert named == [], named
