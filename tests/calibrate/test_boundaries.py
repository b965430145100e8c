"""The calibration stage comes after interpreters and before capacity: it imports no later
stage, and reads no shared reference file."""

from __future__ import annotations

from pathlib import Path

import estimator.calibrate
from tests.capacity.test_boundaries import imported_modules

LATER = (
    "estimator.capacity",
    "estimator.pricing",
    "estimator.estimate",
    "estimator.report",
    "estimator.views",
    "estimator.cli",
    "estimator.dashboard",
)
PACKAGE = Path(estimator.calibrate.__file__).parent


def test_no_later_stage_is_imported() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 6
    for path in modules:
        bad = {m for m in imported_modules(path) if m.startswith(LATER)}
        assert not bad, f"{path.name} imports {bad}"
        assert "/work/shared" not in path.read_text()
