"""Markdown: the headline, ranked tables per app, serverless options, then every input,
assumption, price source, measurement host, warning and how the figures are computed."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.escape import markdown_text as md
from estimator.estimate import ConfigEstimate, EstimateReport
from estimator.report.view import (
    RANKED,
    SERVERLESS,
    host_line,
    inputs,
    missing_lines,
    pricing_lines,
    ranked_cells,
    row,
    serverless_cells,
    title,
    usd,
)


def cell(text: str) -> str:
    """A table cell: literal text (no HTML, link, image or emphasis), `|` escaped."""
    return md(text)


def items(lines: Sequence[str]) -> list[str]:
    """A bulleted list of literal lines."""
    return [f"- {md(line)}" for line in lines]


def table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    out = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in body]
    return [*out, ""]


def _details(c: ConfigEstimate) -> list[str]:
    out = [f"### {md(c.key)}", ""]
    out.append(
        f"Measured: {c.measured_capacity_rps.mean:,.1f} req/s at the {c.slo_p95_ms:g} ms p95 SLO "
        f"(95% CI {c.measured_capacity_rps.ci_low:,.1f}–{c.measured_capacity_rps.ci_high:,.1f}, "
        f"n = {c.repetitions}{', lower bound: at least' if c.measured_lower_bound else ''}), "
        f"{c.cpu_ms_per_request:.3g} ms CPU per request, {c.latency_low_ms:.3g} ms at low load, "
        f"{c.worker_uss_mib:,.0f} MiB per worker; runs {md(', '.join(c.run_ids))}."
    )
    out.append("")
    out.append(f"Baseline: {md(c.baseline_key)} ({md(c.baseline_reason)}).")
    out.append("")
    if c.tie_note:
        out += [f"Tie: {md(c.tie_note)}.", ""]
    for i, o in enumerate(c.options):
        label = "Cheapest" if i == 0 else f"Runner-up {i}"
        out.append(
            f"- **{label}: {o.peak_instances} × {md(o.instance_type)}** ({o.vcpu} vCPU, "
            f"{o.memory_gib:g} GiB, {md(o.arch)}, \\${o.usd_per_hour.normalize():f}/h): "
            f"{md(usd(o.monthly_usd, bound=o.lower_bound))}/month"
        )
        if i == 0:
            out += [f"  - {md(n)}" for n in o.notes]
    if c.unpriced_reason:
        out.append(f"- Not priced: {md(c.unpriced_reason)}")
    out += [f"- Left out: {md(s)}" for s in c.skipped]
    out += items(c.serverless_notes)
    out += [f"- Measurement warning: {md(w)}" for w in c.warnings]
    return [*out, ""]


def render(report: EstimateReport) -> str:
    out = [f"# {md(title(report))}", ""]
    out += ["## Headline", ""]
    out += items([h.text for h in report.headlines]) or ["- nothing could be priced"]
    out.append("")
    for app in sorted({c.app for c in report.configurations}):
        configs = [c for c in report.configurations if c.app == app]
        out += [f"## {md(app)}: ranked by {report.request.fleet} \\$/month", ""]
        out += table(RANKED, [ranked_cells(row(c)) for c in configs])
        notes = items([f"{c.key}: {n}" for c in configs if (n := row(c).note)])
        out += [*notes, ""] if notes else []
    if report.request.include_serverless:
        out += ["## Serverless, from the same measurements", ""]
        out += table(SERVERLESS, [serverless_cells(row(c)) for c in report.configurations])
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
    out += ["## Prices", "", *items(pricing_lines(report)), ""]
    out += ["## Measurement hosts", "", *items([host_line(h) for h in report.hosts]), ""]
    sections = (
        ("Warnings", report.warnings),
        ("Missing prices (left out, not counted as zero)", missing_lines(report)),
        ("Excluded configurations", [f"{e.key}: {e.reason}" for e in report.excluded]),
        ("How the figures are computed", report.notes),
    )
    for name, lines in sections:
        if lines:
            out += [f"## {name}", "", *items(lines), ""]
    out += ["## Per configuration", ""]
    for c in report.configurations:
        out += _details(c)
    return "\n".join(out).rstrip("\n") + "\n"
