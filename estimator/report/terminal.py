"""The terminal view (rich) of an estimate and of a diff: ranked tables, the headline, and
where the numbers come from."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from estimator.display import (
    SERVERLESS,
    arrivals_line,
    break_even_lines,
    change_phrase,
    headline_text,
    host_line,
    missing_lines,
    row,
    serverless_cells,
    speed_lines,
    tie_lines,
    tie_rule_line,
    title,
    usd,
)
from estimator.escape import plain_text
from estimator.estimate import EstimateReport
from estimator.report.diff import ReportDiff

COMPACT = (
    "rank",
    "configuration",
    "instance",
    "peak (range)",
    "$/month",
    "95% range",
    "other fleet",
    "$/M req",
    "binding",
    "capacity/instance",
    "tie group",
    "saving vs baseline",
)
RIGHT = {"peak (range)", "$/month", "95% range", "other fleet", "$/M req"}


def _table(heading: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=text(heading), header_style="bold", title_justify="left")
    for col in columns:
        right = col in RIGHT or col.endswith("$/month")
        table.add_column(col, justify="right" if right else "left")
    return table


def text(value: str) -> Text:
    """Every text passes here once on its way to the terminal: a `Text` is never parsed for
    rich markup, and control characters (terminal escape sequences) are dropped."""
    return Text(plain_text(value))


def _line(out: Console, value: str, style: str = "") -> None:
    out.print(text(value), style=style or None, highlight=False, soft_wrap=True)


def print_report(report: EstimateReport, out: Console) -> None:
    _line(out, title(report), "bold")
    for app in sorted({c.app for c in report.configurations}):
        configs = [c for c in report.configurations if c.app == app]
        fleet = report.request.fleet
        other = "fixed" if fleet == "autoscaled" else "autoscaled"
        columns = tuple(f"{other} $/month" if c == "other fleet" else c for c in COMPACT)
        table = _table(f"{app}: ranked by {fleet} $/month", columns)
        for c in configs:
            r = row(c, report)
            cells = [
                r.rank,
                r.key,
                r.instance,
                f"{r.peak} ({r.peak_range})" if r.peak else "",
                r.monthly,
                r.monthly_range,
                r.fixed if other == "fixed" else r.autoscaled,
                r.per_million,
                r.binding,
                r.capacity,
                r.tie,
                r.saving,
            ]
            table.add_row(*(text(x) for x in cells), style="green" if c.rank == 1 else None)
        out.print(table)
        for c in configs:
            if note := row(c, report).note:
                _line(out, f"  {c.key}: {note}")
    if report.request.include_serverless:
        table = _table("serverless, from the same measurements", SERVERLESS)
        for c in report.configurations:
            table.add_row(*(text(x) for x in serverless_cells(row(c, report))))
        out.print(table)
    for h in report.headlines:
        _line(out, headline_text(h, report), "bold green")
        for line in break_even_lines(report, h):
            _line(out, f"  break-even: {line}")
    for line in tie_lines(report):
        _line(out, line, "green")
    _line(out, tie_rule_line(report))
    if arrivals := arrivals_line(report):
        _line(out, arrivals)
    _line(out, "Where the numbers come from:", "bold")
    overridden = [f"{a.name} = {a.value}" for a in report.assumption_rows if a.overridden]
    t = report.traffic
    lines = [
        f"traffic: {t.source}; {t.requests_per_month:,.0f} requests/month",
        f"prices: {report.pricing.source}",
        *[f"  {s}" for s in report.pricing.sources],
        *[f"  override: {n}" for n in report.pricing.notes],
        "assumptions: "
        + ("; ".join(overridden) if overridden else "all defaults")
        + " (every one: `estimator report --format md`; docs/model.md)",
        *[f"measured on: {host_line(h)}" for h in report.hosts],
        *speed_lines(report),
    ]
    if report.scenarios:
        lines.append(f"scenarios: {', '.join(report.scenarios)}")
    for line in lines:
        _line(out, line)
    for w in report.warnings:
        _line(out, f"warning: {w}", "yellow")
    for m in missing_lines(report):
        _line(out, f"missing price (left out, not zero): {m}", "yellow")
    for e in report.excluded:
        _line(out, f"excluded: {e.key}: {e.reason}", "yellow")


def print_diff(d: ReportDiff, out: Console) -> None:
    table = _table(
        f"cost change {d.base} → {d.head}",
        ("configuration", "base", "head", "change", "%", "95% range", "instances", "status"),
    )
    for r in d.rows:
        plus = "+" if r.change_usd is not None and r.change_usd >= 0 else ""
        change = "" if r.change_usd is None else f"{plus}{usd(r.change_usd)}"
        share = "" if r.change_pct is None else f"{r.change_pct:+.1f}%"
        opts = f"{r.base_option or '–'} → {r.head_option or '–'}"
        status = f"{r.status} (over threshold)" if r.over_threshold else r.status
        measured = change_phrase(
            r.change_usd,
            r.change_usd_low,
            r.change_usd_high,
            known=r.known,
            base_lower_bound=r.base_lower_bound,
            head_lower_bound=r.head_lower_bound,
        )
        cells = [r.key, usd(r.base_usd), usd(r.head_usd), change, share, measured, opts, status]
        table.add_row(*(text(x) for x in cells), style="red" if r.over_threshold else None)
    out.print(table)
    for line in d.input_changes:
        _line(out, f"input changed: {line}")
    if d.threshold_pct is None:
        _line(out, "no --fail-above threshold: exit 0")
    elif d.failed:
        _line(
            out,
            f"{len(d.over)} configuration(s) over the +{d.threshold_pct:f}% threshold: "
            + "; ".join(r.key for r in d.over),
            "bold red",
        )
    else:
        _line(out, f"no cost increase over +{d.threshold_pct:f}%", "green")
