"""The Export page's files: the estimate on screen rendered by every report format."""

from __future__ import annotations

import re

from estimator._model import Model
from estimator.estimate import EstimateReport
from estimator.report import FORMATS

MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "md": "text/markdown",
    "html": "text/html",
}
LABELS = {"csv": "CSV", "json": "JSON", "md": "Markdown", "html": "HTML"}


class ExportFile(Model):
    format: str
    label: str
    filename: str
    mime: str
    description: str
    data: str


def file_stem(report: EstimateReport) -> str:
    """'estimator-us-east-1-on-demand-200rps-20261127' (what it is, for which inputs)."""
    r = report.request
    peak = f"{report.traffic.peak_rps:g}".replace(".", "_")
    stem = f"estimator-{r.region}-{r.purchase}-{peak}rps-{report.generated_at:%Y%m%d}"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", stem)


def export_files(report: EstimateReport) -> list[ExportFile]:
    stem = file_stem(report)
    return [
        ExportFile(
            format=name,
            label=LABELS.get(name, name.upper()),
            filename=f"{stem}.{f.extension}",
            mime=MIME.get(name, "text/plain"),
            description=f.description,
            data=f.render(report),
        )
        for name, f in FORMATS.items()
    ]
