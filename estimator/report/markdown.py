"""Markdown: the headline, ranked tables per app, serverless options, then every input,
assumption, price source, measurement host, warning and how the figures are computed."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.display import (
    RANKED,
    SERVERLESS,
    SPEED_COLUMNS,
    arrivals_line,
    break_even_lines,
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
from estimator.escape import markdown_text
from estimator.estimate import ConfigEstimate, EstimateReport


def text(value: str) -> str:
    """Every text from the estimate passes here once: literal Markdown (no HTML, image, link
    or emphasis from data; see estimator.escape), list and heading markers stay outside."""
    return markdown_text(value)


def cell(value: str) -> str:
    """A table cell: escaped text ('|' and line breaks can't end the cell)."""
    return text(value)


def table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    out = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in body]
    return [*out, ""]


def _details(c: ConfigEstimate, report: EstimateReport) -> list[str]:
    out = [f"### {text(c.key)}", ""]
    bound = ", lower bound: at least" if c.measured_lower_bound else ""
    out.append(
        text(
            f"Measured: {estimate(c.measured_capacity_rps, 'req/s', 4)} at the "
            f"{c.slo_p95_ms:g} ms p95 SLO{bound}, {estimate(c.cpu_ms_per_request, 'ms')} CPU "
            f"per request, {c.latency_low_ms:.3g} ms at low load, {c.worker_uss_mib:,.0f} MiB "
            f"per worker; runs {', '.join(c.run_ids)}."
        )
    )
    out.append("")
    out.append(text(f"Baseline: {c.baseline_key} ({c.baseline_reason})."))
    out.append("")
    if note := row(c, report).note:
        out += [text(f"Note: {note}."), ""]
    for i, o in enumerate(c.options):
        label = "Cheapest" if i == 0 else f"Runner-up {i}"
        price = usd_range(o.monthly_usd_low, o.monthly_usd_high, lower_bound=o.lower_bound)
        out.append(
            f"- **{label}: {o.peak_instances} × {text(o.instance_type)}** ({o.vcpu} vCPU, "
            + text(
                f"{o.memory_gib:g} GiB, {o.arch}, ${o.usd_per_hour.normalize():f}/h): "
                f"{usd(o.monthly_usd, bound=o.lower_bound)}/month ({price})"
            )
        )
        if i == 0:
            out += [f"  - {text(n)}" for n in o.notes]
    if c.unpriced_reason:
        out.append("- " + text(f"Not priced: {c.unpriced_reason}"))
    out += ["- " + text(f"Left out: {s}") for s in c.skipped]
    out += ["- " + text(f"{n}") for n in c.serverless_notes]
    out += ["- " + text(f"Measurement warning: {w}") for w in c.warnings]
    return [*out, ""]


def render(report: EstimateReport) -> str:
    out = [f"# {text(title(report))}", ""]
    out += ["## Headline", ""]
    for h in report.headlines:
        out.append("- " + text(headline_text(h, report)))
        out += ["  - " + text(f"break-even: {line}") for line in break_even_lines(report, h)]
    if not report.headlines:
        out.append("- nothing could be priced")
    out += ["", "- " + text(tie_rule_line(report))]
    out += ["- " + text(line) for line in tie_lines(report)]
    if arrivals := arrivals_line(report):
        out.append("- " + text(f"{arrivals}"))
    out.append("")
    for app in sorted({c.app for c in report.configurations}):
        configs = [c for c in report.configurations if c.app == app]
        out += ["## " + text(f"{app}: ranked by {report.request.fleet} $/month"), ""]
        out += table(RANKED, [ranked_cells(row(c, report)) for c in configs])
        notes = ["- " + text(f"{c.key}: {n}") for c in configs if (n := row(c, report).note)]
        out += [*notes, ""] if notes else []
    if report.request.include_serverless:
        out += ["## Serverless, from the same measurements", ""]
        out += table(SERVERLESS, [serverless_cells(row(c, report)) for c in report.configurations])
    out += ["## Inputs", ""]
    out += table(("input", "value"), inputs(report))
    out += ["## Assumptions", ""]
    out += table(
        ("name", "value", "default", "overridden", "why"),
        [
            [a.name, a.value, a.default, "yes" if a.overridden else "", a.why]
            for a in report.assumption_rows
        ],
    )
    out += ["## CPU speeds and the vCPU rule", ""]
    out += ["- " + text(x) for x in vcpu_lines(report)] + [""]
    out += table(SPEED_COLUMNS, speed_rows(report))
    out += ["## Prices", ""] + ["- " + text(line) for line in pricing_lines(report)] + [""]
    out += ["## Measurement hosts", ""] + ["- " + text(host_line(h)) for h in report.hosts]
    out.append("")
    sections = (
        ("Warnings", report.warnings),
        ("Missing prices (left out, not counted as zero)", missing_lines(report)),
        ("Excluded configurations", [f"{e.key}: {e.reason}" for e in report.excluded]),
        ("How the figures are computed", report.notes),
    )
    for name, lines in sections:
        if lines:
            out += [f"## {name}", ""] + ["- " + text(f"{line}") for line in lines] + [""]
    out += ["## Per configuration", ""]
    for c in report.configurations:
        out += _details(c, report)
    return "\n".join(out).rstrip("\n") + "\n"
