"""HTML: one self-contained file a manager can open: inline CSS, the chart as inline SVG, no
script and nothing fetched from the network. The headline, a ranked table per app, the chart,
serverless options, then every input, assumption, price source and measurement host."""

from __future__ import annotations

import html
from collections.abc import Sequence

from estimator.display import (
    RANKED,
    SERVERLESS,
    SPEED_COLUMNS,
    arrivals_line,
    break_even_lines,
    cost_chart,
    headline_text,
    host_line,
    inputs,
    missing_lines,
    pricing_lines,
    ranked_cells,
    row,
    serverless_cells,
    speed_rows,
    tie_lines,
    tie_rule_line,
    title,
    usd,
    usd_range,
    vcpu_lines,
)
from estimator.display.text import estimate
from estimator.estimate import ConfigEstimate, EstimateReport
from estimator.report.svg import bar_chart


def escape(value: str) -> str:
    """Every text passes here once on its way into the page (the place for HTML escaping)."""
    return html.escape(value)


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a202c;margin:2rem auto;
max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e2e8f0}
.meta{color:#4a5568}.headline{background:#f0fff4;border:1px solid #9ae6b4;border-radius:6px;
padding:.8rem 1rem;margin:1rem 0}.headline p{margin:.3rem 0;font-size:1.05rem}
.big{font-size:1.4rem;font-weight:700}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem;display:block;
overflow-x:auto}
th,td{border:1px solid #e2e8f0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f7fafc}td.num{text-align:right;white-space:nowrap}
tr.baseline td{background:#f7fafc}tr.first td{background:#f0fff4}
.warn li{color:#975a16}details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
.small{font-size:.85rem;color:#4a5568}
"""

NUMERIC = {"$/month", "95% range", "autoscaled", "fixed", "$/M requests", "peak (range)"}


def _table(
    header: Sequence[str], body: Sequence[Sequence[str]], classes: Sequence[str] = ()
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    rows = []
    for i, r in enumerate(body):
        cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        cells = "".join(
            f'<td class="num">{escape(v)}</td>' if header[j] in NUMERIC else f"<td>{escape(v)}</td>"
            for j, v in enumerate(r)
        )
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _list(lines: Sequence[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"


def _headline(report: EstimateReport) -> str:
    if not report.headlines:
        return '<div class="headline"><p>Nothing could be priced; see the notes below.</p></div>'
    parts = []
    for h in report.headlines:
        bound = "at most " if h.lower_bound else ""
        parts.append(
            f'<p><span class="big">{escape(h.app)}: {bound}{escape(usd(h.monthly_usd))}/month'
            f"</span></p><p>{escape(headline_text(h, report))}</p>"
            + "".join(
                f'<p class="small">break-even: {escape(x)}</p>' for x in break_even_lines(report, h)
            )
        )
    lines = [tie_rule_line(report), *tie_lines(report)]
    if arrivals := arrivals_line(report):
        lines.append(arrivals)
    return f'<div class="headline">{"".join(parts)}{_list(lines, "small")}</div>'


def _details(c: ConfigEstimate, report: EstimateReport) -> str:
    lines = [
        f"measured: {estimate(c.measured_capacity_rps, 'req/s', 4)} at the {c.slo_p95_ms:g} ms "
        f"p95 SLO, {estimate(c.cpu_ms_per_request, 'ms')} CPU per request; runs "
        f"{', '.join(c.run_ids)}",
        f"baseline: {c.baseline_key} ({c.baseline_reason})",
    ]
    if note := row(c, report).note:
        lines.append(f"note: {note}")
    for i, o in enumerate(c.options):
        label = "cheapest" if i == 0 else f"runner-up {i}"
        lines.append(
            f"{label}: {o.peak_instances} × {o.instance_type} ({o.vcpu} vCPU, "
            f"{o.memory_gib:g} GiB, {o.arch}, ${o.usd_per_hour.normalize():f}/h): "
            f"{usd(o.monthly_usd, bound=o.lower_bound)}/month "
            f"({usd_range(o.monthly_usd_low, o.monthly_usd_high, lower_bound=o.lower_bound)})"
        )
    if c.best is not None:
        lines += c.best.notes
    if c.unpriced_reason:
        lines.append(f"not priced: {c.unpriced_reason}")
    lines += [f"left out: {s}" for s in c.skipped]
    lines += c.serverless_notes
    lines += [f"measurement warning: {w}" for w in c.warnings]
    return f"<details><summary>{escape(c.key)}</summary>{_list(lines, 'small')}</details>"


def render(report: EstimateReport) -> str:
    body = [f"<h1>{escape(title(report))}</h1>"]
    body.append(
        f'<p class="meta">Generated {escape(report.generated_at.isoformat())} by estimator '
        f"{escape(report.estimator_version)} · prices as of "
        f"{report.pricing.snapshot_date.isoformat()} · {len(report.hosts)} measurement host(s)</p>"
    )
    body.append(_headline(report))
    for app in sorted({c.app for c in report.configurations}):
        configs = [c for c in report.configurations if c.app == app]
        classes = ["baseline" if c.is_baseline else "first" if c.rank == 1 else "" for c in configs]
        body.append(f"<h2>{escape(app)}: ranked by {escape(report.request.fleet)} $/month</h2>")
        body.append(_table(RANKED, [ranked_cells(row(c, report)) for c in configs], classes))
        notes = [f"{c.key}: {n}" for c in configs if (n := row(c, report).note)]
        if notes:
            body.append(_list(notes, "small"))
    spec = cost_chart(report)
    chart = bar_chart(spec)
    if chart:
        body += [f"<h2>{escape(spec.title)}</h2>", chart, _list(spec.notes, "small")]
    if report.request.include_serverless:
        body.append("<h2>Serverless, from the same measurements</h2>")
        cells = [serverless_cells(row(c, report)) for c in report.configurations]
        body.append(_table(SERVERLESS, cells))
    if report.warnings:
        body += ["<h2>Warnings</h2>", _list(report.warnings, "warn")]
    body += ["<h2>Inputs</h2>", _table(("input", "value"), inputs(report))]
    body.append("<h2>Assumptions</h2>")
    body.append(
        _table(
            ("name", "value", "default", "overridden", "why"),
            [
                [a.name, a.value, a.default, "yes" if a.overridden else "", a.why]
                for a in report.assumption_rows
            ],
        )
    )
    body += ["<h2>CPU speeds and the vCPU rule</h2>", _list(vcpu_lines(report))]
    body.append(_table(SPEED_COLUMNS, speed_rows(report)))
    body += ["<h2>Prices</h2>", _list(pricing_lines(report))]
    body += ["<h2>Measurement hosts</h2>", _list([host_line(h) for h in report.hosts])]
    for name, lines in (
        ("Missing prices (left out, not counted as zero)", missing_lines(report)),
        ("Excluded configurations", [f"{e.key}: {e.reason}" for e in report.excluded]),
        ("How the figures are computed", report.notes),
    ):
        if lines:
            body += [f"<h2>{escape(name)}</h2>", _list(lines)]
    body.append("<h2>Per configuration</h2>")
    body += [_details(c, report) for c in report.configurations]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title(report))}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
