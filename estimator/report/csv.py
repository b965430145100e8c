"""CSV: one row per configuration (by app, then rank), amounts in dollars rounded to cents.

The inputs, assumptions, catalog date, measurement hosts and warnings come first as lines
starting with '# ' (read with `pandas.read_csv(path, comment="#")`, or skip them)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from estimator.display import (
    amount,
    arrivals_line,
    break_even_lines,
    host_line,
    inputs,
    missing_lines,
    pricing_lines,
    row,
    speed_lines,
    tie_lines,
    tie_rule_line,
)
from estimator.escape import csv_cell, csv_comment
from estimator.estimate import ConfigEstimate, EstimateReport

COLUMNS = (
    "app",
    "rank",
    "configuration",
    "variant",
    "server",
    "instance_type",
    "arch",
    "peak_instances",
    "min_instances_hourly",
    "max_instances_hourly",
    "monthly_usd",
    "monthly_usd_autoscaled",
    "monthly_usd_fixed",
    "monthly_usd_low",
    "monthly_usd_high",
    "usd_per_million_requests",
    "binding_limit",
    "capacity_rps",
    "capacity_rps_low",
    "capacity_rps_high",
    "cost_is_upper_bound",
    "cpu_ms_per_request",
    "cpu_ms_per_request_ci_low",
    "cpu_ms_per_request_ci_high",
    "repetitions",
    "tie_group",
    "baseline",
    "saving_usd",
    "saving_usd_low",
    "saving_usd_high",
    "saving_pct",
    "saving",
    "fargate_task",
    "fargate_monthly_usd",
    "lambda",
    "lambda_monthly_usd",
    "runner_ups",
    "note",
)


def cell(text: str) -> str:
    """Every field passes here once: a text a spreadsheet would run as a formula gets a
    leading `'` (estimator.escape.csv_cell; plain numbers stay as they are)."""
    return csv_cell(text)


def _opt(value: Decimal | None) -> str:
    return "" if value is None else amount(value)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _record(c: ConfigEstimate, report: EstimateReport) -> list[str]:
    b, f, lam, s = c.best, c.fargate, c.aws_lambda, c.saving
    r = row(c, report)
    d = c.cpu_ms_per_request
    return [
        c.app,
        "" if c.rank is None else str(c.rank),
        c.key,
        c.variant,
        c.server,
        b.instance_type if b else "",
        b.arch if b else "",
        str(b.peak_instances) if b else "",
        str(min(b.hourly_instances)) if b else "",
        str(max(b.hourly_instances)) if b else "",
        _opt(b.monthly_usd if b else None),
        _opt(b.monthly_usd_autoscaled if b else None),
        _opt(b.monthly_usd_fixed if b else None),
        _opt(b.monthly_usd_low if b else None),
        _opt(b.monthly_usd_high if b else None),
        _opt(b.usd_per_million_requests if b else None),
        b.binding if b else "",
        f"{b.capacity_rps.value:.1f}" if b else "",
        _num(b.capacity_rps.low) if b else "",
        _num(b.capacity_rps.high) if b else "",
        str(b.lower_bound).lower() if b else "",
        f"{d.mean:.4g}",
        f"{d.ci_low:.4g}" if d.n > 1 else "",
        f"{d.ci_high:.4g}" if d.n > 1 else "",
        str(d.n),
        "" if c.tie_group is None else str(c.tie_group),
        c.baseline_key or "",
        _opt(s.usd if s else None),
        _opt(s.usd_low if s else None),
        _opt(s.usd_high if s else None),
        f"{s.pct:.1f}" if s else "",
        r.saving,
        f.name if f else "",
        _opt(f.monthly_usd if f else None),
        lam.name if lam else "",
        _opt(lam.monthly_usd if lam else None),
        "; ".join(
            f"{o.peak_instances} x {o.instance_type} {amount(o.monthly_usd)}" for o in c.options[1:]
        ),
        r.note,
    ]


def _comments(report: EstimateReport) -> list[str]:
    lines = [f"estimator cost report, schema {report.schema_version}, USD per month"]
    lines += [f"input: {k} = {v}" for k, v in inputs(report)]
    lines += [
        f"assumption: {a.name} = {a.value}" + (f" (default {a.default})" if a.overridden else "")
        for a in report.assumption_rows
    ]
    lines += [f"pricing: {line}" for line in pricing_lines(report)]
    lines += [f"measurement host: {host_line(h)}" for h in report.hosts]
    lines += [f"cpu: {x}" for x in speed_lines(report)]
    lines += [f"break-even: {x}" for h in report.headlines for x in break_even_lines(report, h)]
    if arrivals := arrivals_line(report):
        lines.append(arrivals)
    lines.append(tie_rule_line(report))
    lines += tie_lines(report)
    lines += [f"warning: {w}" for w in report.warnings]
    lines += [f"missing price: {m}" for m in missing_lines(report)]
    lines += [f"excluded: {e.key}: {e.reason}" for e in report.excluded]
    lines += [f"method: {n}" for n in report.notes]
    return [f"# {csv_comment(line)}" for line in lines]


def render(report: EstimateReport) -> str:
    out = io.StringIO()
    out.write("\n".join(_comments(report)) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in report.configurations:
        writer.writerow([cell(v) for v in _record(c, report)])
    return out.getvalue()


def read_rows(text: str) -> list[dict[str, str]]:
    """The data rows of a CSV report (comment lines skipped)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))
