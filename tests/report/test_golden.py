"""Golden files: every format rendered from the fixture report must match its file exactly.

After an intended change, regenerate them and review the diff:

    UPDATE_GOLDENS=1 .venv/bin/pytest tests/report/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from estimator.estimate import EstimateReport
from estimator.report import FORMATS
from tests.report.reports import display_report, fixture_report

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


REPORTS = {"report": fixture_report, "display": display_report}
"""'report': the recorded fixture runs; 'display': hand-made measurements showing every
wording (distinguishable saving, tie, not ranked, 'at most', unknown intervals, arrivals)."""


@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_matches_golden_file(fmt: str, name: str) -> None:
    report: EstimateReport = REPORTS[name]()
    text = FORMATS[fmt].render(report)
    path = GOLDEN / f"{name}.{FORMATS[fmt].extension}"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: UPDATE_GOLDENS=1 pytest {__file__} creates it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    str(path),
                    "rendered",
                )
            )[:60]
        )
        pytest.fail(
            f"{fmt} report differs from {path.name}; if intended, regenerate with "
            f"UPDATE_GOLDENS=1 pytest tests/report/test_golden.py\n{diff}"
        )


def test_rendering_is_deterministic() -> None:
    report = fixture_report()
    for f in FORMATS.values():
        assert f.render(report) == f.render(report.model_copy())
