"""The Compare page's table: measured figures and the estimate's costs, one row per
configuration, with units in the column names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from estimator.display import Row
from estimator.estimate import EstimateReport
from estimator.load.search import lower_bound_why
from estimator.store.compare import ConfigComparison
from estimator.views import fmt
from estimator.views.costs import cost_rows
from estimator.views.measured import MeasuredRow

COLUMNS = [
    "app",
    "interpreter",
    "server config",
    "$/month",
    "95% range",
    "tie group",
    "vs baseline",
    "cheapest EC2",
    "binding limit",
    "$ per 1M requests",
    "capacity (req/s per CPU)",
    "capacity 95% CI",
    "p95 at steady load (ms)",
    "CPU-ms per request",
    "MiB per worker (USS)",
    "runs",
    "Fargate $/month",
    "Lambda $/month",
    "note",
]


def _f(value: object) -> float | None:
    return None if value is None else float(str(value))


def _note(m: MeasuredRow, r: Row | None) -> str:
    notes = []
    if m.lower_bound:
        notes.append(f"capacity ≥, cost ≤: {lower_bound_why(m.stop_reason)}")
    if m.p95_ms.mean > m.slo_p95_ms:
        notes.append(f"p95 at steady load > SLO {m.slo_p95_ms:g} ms")
    if r is not None and (r.monthly_usd is None or not r.ranked) and r.note:
        notes.append(r.note)
    elif r is not None and r.settings:
        notes.append(r.settings)
    return "; ".join(notes)


def compare_frame(measured: Sequence[MeasuredRow], report: EstimateReport | None) -> pd.DataFrame:
    """`report` None: measured columns only (the cost columns stay, empty)."""
    costs: Mapping[str, Row] = cost_rows(report) if report is not None else {}
    records = []
    for m in measured:
        c = costs.get(m.key)
        ce = report.config(m.key) if report is not None else None
        b = ce.best if ce is not None else None
        f = ce.fargate if ce is not None else None
        lam = ce.aws_lambda if ce is not None and ce.aws_lambda and ce.aws_lambda.fits else None
        records.append(
            {
                "app": m.app,
                "interpreter": m.variant,
                "server config": m.server,
                "runs": m.n,
                "capacity (req/s per CPU)": fmt.capacity(m.capacity_per_cpu.mean, m.lower_bound),
                "capacity 95% CI": fmt.ci(m.capacity_per_cpu),
                "p95 at steady load (ms)": m.p95_ms.mean,
                "CPU-ms per request": m.cpu_ms_per_request.mean,
                "MiB per worker (USS)": m.worker_uss_mib.mean,
                "cheapest EC2": (
                    f"{c.peak} × {c.instance}" + (" (at most)" if c.lower_bound else "")
                )
                if c and b
                else None,
                "$/month": _f(b.monthly_usd) if b else None,
                "95% range": c.monthly_range if c and b else None,
                "tie group": c.tie if c and c.tie else None,
                "$ per 1M requests": _f(b.usd_per_million_requests) if b else None,
                "binding limit": b.binding if b else None,
                "vs baseline": c.saving if c and b else None,
                "Fargate $/month": _f(f.monthly_usd) if f else None,
                "Lambda $/month": _f(lam.monthly_usd) if lam else None,
                "note": _note(m, c),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    return frame.sort_values(["app", "$/month"], na_position="last", kind="stable")


def difference_frame(diff: ConfigComparison, report: EstimateReport | None) -> pd.DataFrame:
    """Metric by metric: A, B, B ÷ A, and whether the difference is significant."""
    records: list[dict[str, object]] = []
    for m in diff.metrics:
        mean_a = sum(m.a) / len(m.a)
        mean_b = sum(m.b) / len(m.b)
        if m.test is None:
            significant = "can't tell (n < 2)"
        else:
            significant = "yes" if m.test.significant else "no"
        records.append(
            {
                "metric": METRIC_NAMES.get(m.metric, m.metric),
                "unit": m.unit,
                "A": mean_a,
                "B": mean_b,
                "B ÷ A": m.ratio,
                "p-value": m.test.p_value if m.test else None,
                "significant": significant,
                "verdict": m.verdict,
            }
        )
    if report is not None:
        rows = cost_rows(report)
        a, b = rows.get(diff.a), rows.get(diff.b)
        ca, cb = report.config(diff.a), report.config(diff.b)
        if a and b and a.monthly_usd is not None and b.monthly_usd is not None and ca and cb:
            ratio = float(b.monthly_usd / a.monthly_usd) if a.monthly_usd else None
            ranked = ca.app == cb.app and None not in (ca.tie_group, cb.tie_group)
            same = ranked and ca.tie_group == cb.tie_group
            told = ranked and not same
            records.append(
                {
                    "metric": "cost: cheapest EC2 option",
                    "unit": "$/month",
                    "A": float(a.monthly_usd),
                    "B": float(b.monthly_usd),
                    "B ÷ A": ratio,
                    "p-value": None,
                    "significant": "yes" if told else "no" if same else "—",
                    "verdict": f"A: {a.peak} × {a.instance}, {a.monthly_range}; B: {b.peak} × "
                    f"{b.instance}, {b.monthly_range}; "
                    + ("tied within noise (same tie group)" if same else "")
                    + ("different tie groups: distinguishable by cost" if told else "")
                    + ("" if same or told else "not ranked together"),
                }
            )
    return pd.DataFrame.from_records(
        records,
        columns=["metric", "unit", "A", "B", "B ÷ A", "p-value", "significant", "verdict"],
    )


METRIC_NAMES = {
    "capacity_rps": "capacity (SLO-limited throughput)",
    "cpu_ms_per_request": "CPU per request",
    "latency_mean_ms": "service time (mean latency, one user)",
    "p95_ms": "p95 at the lowest steady rate",
    "worker_uss_mib": "private memory per worker (USS)",
}
