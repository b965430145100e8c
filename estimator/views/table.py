"""The Compare page's table: measured figures and the estimate's costs, one row per
configuration, with units in the column names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from estimator.load.search import lower_bound_why
from estimator.store.compare import ConfigComparison
from estimator.views import fmt
from estimator.views.costs import CostRow, saving_text
from estimator.views.measured import MeasuredRow

COLUMNS = [
    "app",
    "interpreter",
    "server config",
    "$/month",
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


def _note(m: MeasuredRow, c: CostRow | None) -> str:
    notes = []
    if m.lower_bound:
        notes.append(f"capacity ≥, cost ≤: {lower_bound_why(m.stop_reason)}")
    if m.p95_ms.mean > m.slo_p95_ms:
        notes.append(f"p95 at steady load > SLO {m.slo_p95_ms:g} ms")
    if c is not None and c.monthly_usd is None:
        notes.append(c.option)
    return "; ".join(notes)


def compare_frame(
    measured: Sequence[MeasuredRow], costs: Mapping[str, CostRow] | None
) -> pd.DataFrame:
    """`costs` None: measured columns only (the cost columns stay, empty)."""
    records = []
    for m in measured:
        c = costs.get(m.key) if costs is not None else None
        priced = c is not None and c.monthly_usd is not None
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
                "cheapest EC2": (c.option + (" (at most)" if c.lower_bound else ""))
                if priced and c
                else None,
                "$/month": _f(c.monthly_usd) if c else None,
                "$ per 1M requests": _f(c.usd_per_million) if c else None,
                "binding limit": c.binding if c else None,
                "vs baseline": saving_text(c) if c else None,
                "Fargate $/month": _f(c.fargate_usd) if c else None,
                "Lambda $/month": _f(c.lambda_usd) if c else None,
                "note": _note(m, c),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    return frame.sort_values(["app", "$/month"], na_position="last", kind="stable")


def difference_frame(diff: ConfigComparison, costs: Mapping[str, CostRow] | None) -> pd.DataFrame:
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
    if costs is not None:
        a, b = costs.get(diff.a), costs.get(diff.b)
        if a and b and a.monthly_usd is not None and b.monthly_usd is not None:
            ratio = float(b.monthly_usd / a.monthly_usd) if a.monthly_usd else None
            records.append(
                {
                    "metric": "cost: cheapest EC2 option",
                    "unit": "$/month",
                    "A": float(a.monthly_usd),
                    "B": float(b.monthly_usd),
                    "B ÷ A": ratio,
                    "p-value": None,
                    "significant": "—",
                    "verdict": f"A: {a.option}; B: {b.option} (computed from the means; the "
                    "cost's spread follows the capacity CIs)",
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
