"""Stage: reports. One formatter per format, one signature: `render(EstimateReport) -> str`
(csv, json, md, html), registered in `FORMATS`; the JSON report reads back with
`load_report`; `diff_reports` compares two of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from estimator.estimate import EstimateReport
from estimator.report import csv, html, json, markdown
from estimator.report.diff import ConfigDiff, ReportDiff, diff_reports
from estimator.report.errors import ReportError
from estimator.report.json import load_report, parse_report


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    description: str
    render: Callable[[EstimateReport], str]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", "csv", "one row per configuration; inputs as '# ' lines", csv.render),
        Format("json", "json", "the whole report, exact; reads back (schema_version)", json.render),
        Format(
            "md", "md", "Markdown: headline, ranked tables, inputs, assumptions", markdown.render
        ),
        Format("html", "html", "one self-contained page with a chart, no network", html.render),
    )
}


def render(report: EstimateReport, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ReportError(f"report format '{fmt}' is unknown; use one of {', '.join(FORMATS)}")
    return FORMATS[fmt].render(report)


__all__ = [
    "FORMATS",
    "ConfigDiff",
    "Format",
    "ReportDiff",
    "ReportError",
    "diff_reports",
    "load_report",
    "parse_report",
    "render",
]
