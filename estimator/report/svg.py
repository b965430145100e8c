"""An inline SVG bar chart of $/month by configuration (grouped by app), generated here: no
script, no fonts or images fetched, so the HTML report stays one self-contained file."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from estimator.estimate import EstimateReport
from estimator.report.view import usd

WIDTH = 860
LABEL = 380
VALUE = 120
ROW = 24
HEAD = 28
COLORS = {"cheapest": "#2f855a", "baseline": "#8a94a6", "other": "#3b6fd8"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    length: float
    kind: str
    dashed: bool
    tip: str


def _bar(y: float, b: Bar) -> str:
    dash = ' stroke="#1a202c" stroke-dasharray="4 3"' if b.dashed else ""
    return (
        f"<g><title>{escape(b.tip)}</title>"
        f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end" class="label">'
        f"{escape(b.label)}</text>"
        f'<rect x="{LABEL}" y="{y + 4}" width="{b.length:.1f}" height="{ROW - 8}" '
        f'fill="{COLORS[b.kind]}"{dash}/>'
        f'<text x="{LABEL + b.length + 6:.1f}" y="{y + 16}" class="value">'
        f"{escape(b.value)}</text></g>"
    )


def bar_chart(report: EstimateReport) -> str:
    """'' when nothing is priced."""
    priced = [c for c in report.configurations if c.best is not None]
    if not priced:
        return ""
    top = max(c.best.monthly_usd for c in priced if c.best is not None)
    area = WIDTH - LABEL - VALUE
    parts: list[str] = []
    y = 0.0
    for app in sorted({c.app for c in priced}):
        parts.append(f'<text x="4" y="{y + 18}" class="app">{escape(app)}</text>')
        y += HEAD
        for c in (c for c in priced if c.app == app):
            b = c.best
            assert b is not None
            kind = "baseline" if c.is_baseline else "cheapest" if c.rank == 1 else "other"
            length = max(1.0, float(b.monthly_usd / top) * area) if top > 0 else 1.0
            label = c.key.split(" | ", 1)[-1] if " | " in c.key else c.key
            tip = (
                f"{c.key}: {b.peak_instances} × {b.instance_type}, "
                f"{usd(b.monthly_usd, bound=b.lower_bound)}/month ({report.request.fleet})"
            )
            value = usd(b.monthly_usd, bound=b.lower_bound)
            parts.append(_bar(y, Bar(label, value, length, kind, b.lower_bound, tip)))
            y += ROW
    legend_y = y + 10
    legend = [
        f'<rect x="{LABEL + i * 150}" y="{legend_y}" width="12" height="12" fill="{COLORS[k]}"/>'
        f'<text x="{LABEL + i * 150 + 18}" y="{legend_y + 11}" class="value">{text}</text>'
        for i, (k, text) in enumerate(
            (("cheapest", "cheapest of its app"), ("baseline", "baseline"), ("other", "other"))
        )
    ]
    legend.append(
        f'<text x="4" y="{legend_y + 11}" class="value">'
        "dashed: upper bound (capacity measured as a lower bound)</text>"
    )
    height = legend_y + 24
    return (
        f'<svg role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" aria-label="$ per month by configuration">'
        "<style>.label,.value{font:12px sans-serif;fill:#1a202c}"
        ".app{font:bold 13px sans-serif;fill:#1a202c}</style>"
        + "".join(parts)
        + "".join(legend)
        + "</svg>"
    )
