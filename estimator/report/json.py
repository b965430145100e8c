"""JSON: the whole `EstimateReport` (money as exact decimal strings) with `schema_version`;
`load_report` reads it back into the same model."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from estimator.errors import describe_validation_error
from estimator.estimate import SCHEMA_VERSION, EstimateReport
from estimator.report.errors import ReportError


def render(report: EstimateReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def parse_report(text: str, source: str) -> EstimateReport:
    try:
        data = json.loads(text)
    except RecursionError:
        raise ReportError(
            f"{source}: nested too deeply to be a report; give a report written by "
            "`estimator report --format json`"
        ) from None
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{source}: not JSON ({exc.msg}, line {exc.lineno}); give a report written by "
            "`estimator report --format json`"
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ReportError(
            f"{source}: not an estimator JSON report (no schema_version); write one with "
            "`estimator report --format json -o FILE`"
        )
    version = data["schema_version"]
    if version != SCHEMA_VERSION:
        raise ReportError(
            f"{source}: schema_version = {version!r}, this estimator reads {SCHEMA_VERSION}; "
            "re-create the report with this version"
        )
    try:
        return EstimateReport.model_validate_json(text)
    except RecursionError:
        raise ReportError(f"{source}: nested too deeply to be a report") from None
    except ValidationError as exc:
        raise ReportError(describe_validation_error(exc, source)) from None


def load_report(path: Path) -> EstimateReport:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"report {path}: {exc.strerror}; check the path") from None
    except UnicodeDecodeError:
        raise ReportError(f"report {path}: not UTF-8 text; give a JSON report") from None
    return parse_report(text, f"report {path}")
