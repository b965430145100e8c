"""The report the golden files and format tests are built from: the recorded fixture runs
priced with the embedded snapshot, with fixed inputs (no clock, no user catalog, no version)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from estimator.estimate import EstimateReport, EstimateRequest, estimate, profile_traffic
from estimator.pricing import load_catalog
from estimator.store.summarize import summarize
from tests.fixtures import fixture_runs

GENERATED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@functools.cache
def fixture_report() -> EstimateReport:
    runs = fixture_runs()
    request = EstimateRequest(
        traffic=profile_traffic(400, "diurnal"),
        profile="diurnal",
        region="us-east-1",
        user_catalog=False,
    )
    report = estimate(
        summarize(runs),
        load_catalog(user_catalog=False),
        request,
        scenarios=[r.cell.scenario for r in runs],
        results="tests/fixtures/runs.jsonl",
        generated_at=GENERATED_AT,
    )
    return report.model_copy(update={"estimator_version": "(golden)"})


def markdown_plain(text: str) -> str:
    """Markdown with its escapes undone (backslash before punctuation, the three entities):
    the text a reader sees, to compare with the report's figures."""
    import html
    import re

    return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text))
