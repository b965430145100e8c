"""The display layer sits between the estimate and its outputs: it imports no report, view,
dashboard or CLI module (they import it)."""

from __future__ import annotations

from pathlib import Path

import estimator.display
import estimator.estimate
from tests.estimate.test_boundaries import imported

LATER = ("estimator.report", "estimator.cli", "estimator.views", "estimator.dashboard")


def test_no_later_stage_is_imported() -> None:
    modules = sorted(Path(estimator.display.__file__).parent.glob("*.py"))
    assert len(modules) >= 4
    for path in modules:
        bad = {m for m in imported(path) if m.startswith(LATER)}
        assert not bad, f"display/{path.name} imports {bad}"


def test_the_estimate_stage_holds_no_display_wording() -> None:
    for path in Path(estimator.estimate.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert "from estimator.display" not in text
        assert "import estimator.display" not in text
        for phrase in ("no measurable difference", "saves $", "tied at $"):
            assert phrase not in text, f"estimate/{path.name} words '{phrase}'"
