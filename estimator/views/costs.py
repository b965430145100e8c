"""The estimate behind the Overview, Compare and Export pages: the what-if settings applied
to the store's measurements (at the what-if SLO) and the price catalog, and the report's
figures shaped for headline cards, the cost table and the cost chart."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from estimator.display import Row, arrivals_line, cost_chart, rows
from estimator.estimate import EstimateReport, estimate
from estimator.pricing import Catalog
from estimator.store.summarize import Summaries, summarize

__all__ = ["Summaries", "cost_chart_frame", "cost_rows", "report_for", "summaries_at"]
from estimator.views.slo import runs_at_slo
from estimator.views.snapshot import StoreSnapshot
from estimator.views.whatif import WhatIf


def summaries_at(snap: StoreSnapshot, slo_p95_ms: float | None) -> Summaries:
    """The store's per-configuration summaries, re-read at the what-if SLO if one is set."""
    if slo_p95_ms is None:
        return Summaries(summaries=snap.summaries, excluded=snap.excluded)
    return summarize(runs_at_slo(snap.runs, slo_p95_ms))


def report_for(
    snap: StoreSnapshot,
    wi: WhatIf,
    catalog: Catalog,
    *,
    baseline: Sequence[str] = (),
    apps: Sequence[str] | None = None,
) -> EstimateReport:
    """The estimate for the what-if settings (`apps`: only these apps' configurations)."""
    sums = summaries_at(snap, wi.slo_p95_ms)
    if apps is not None:
        sums = Summaries(
            summaries=[s for s in sums.summaries if s.app in apps],
            excluded=[e for e in sums.excluded if e.key.split(" | ", 1)[0] in apps],
        )
    scenarios = sorted({r.scenario for r in snap.rows if r.status == "ok"})
    return estimate(
        sums,
        catalog,
        wi.request(list(baseline)),
        scenarios=scenarios,
        results=str(snap.path),
    )


def cost_rows(report: EstimateReport) -> dict[str, Row]:
    """Each configuration as the display layer shows it (the same words as every report)."""
    return {r.key: r for r in rows(report)}


CHART_COLUMNS = [
    "app",
    "interpreter",
    "server config",
    "$/month",
    "low",
    "high",
    "open high",
    "cost",
    "95% range",
    "fleet",
    "binding limit",
    "vs baseline",
    "role",
    "tied with the cheapest",
    "upper bound",
]


def cost_chart_frame(report: EstimateReport) -> pd.DataFrame:
    """The display layer's $/month chart spec as a frame for altair: one bar per priced
    configuration with its interval ends (an open high end drawn to the axis' end)."""
    spec = cost_chart(report)
    records = [
        {
            "app": b.app,
            "interpreter": b.interpreter,
            "server config": b.server,
            "$/month": b.value,
            "low": b.low,
            "high": b.high,
            "open high": b.low is not None and b.high is None,
            "cost": b.value_text,
            "95% range": b.range_text,
            "fleet": b.option,
            "binding limit": b.binding,
            "vs baseline": b.saving_text,
            "role": b.role,
            "tied with the cheapest": b.tied_with_cheapest,
            "upper bound": b.lower_bound,
        }
        for b in spec.bars
    ]
    return pd.DataFrame.from_records(records, columns=CHART_COLUMNS)


def inputs_line(report: EstimateReport) -> str:
    """Every input behind the figures, in one caption."""
    r = report.request
    t = report.traffic
    a = report.assumptions
    slo = sorted({c.slo_p95_ms for c in report.configurations})
    shape = f"profile '{t.profile}'" if t.profile else t.source
    filters: list[str] = []
    if r.arch:
        filters.append(r.arch)
    if r.families:
        filters.append("families " + ", ".join(r.families))
    discount = f", {r.discount_pct}% discount" if r.discount_pct else ""
    return (
        f"Traffic: peak {t.peak_rps:,.0f} req/s, {shape}, mean {t.mean_rps:,.0f} req/s, "
        f"{float(t.requests_per_month) / 1e6:,.1f} M requests/month. "
        f"SLO p95 ≤ {', '.join(f'{s:g}' for s in slo)} ms. "
        f"Prices: {r.region} {r.purchase}{discount}"
        f"{' (' + '; '.join(filters) + ')' if filters else ''}, "
        f"catalog {report.pricing.snapshot_date}, {r.fleet} fleet, "
        f"{report.pricing.hours_per_month} h/month. "
        f"Assumptions: target utilization {a.target_utilization:g}, "
        f"redundancy +{a.redundancy}, min {a.min_instances} instance(s); docs/model.md."
        + (f" Load {arrivals}." if (arrivals := arrivals_line(report)) else "")
    )


def why_line(report: EstimateReport, key: str) -> str:
    """Why a configuration costs what it does, next to its baseline: the measured CPU per
    request, the capacity per instance and its binding limit, the instances at the peak."""
    c = report.config(key)
    if c is None or c.best is None:
        return ""
    best = c.best
    bound = "≥ " if best.lower_bound else ""
    text = (
        f"{c.cpu_ms_per_request.mean:.2f} CPU-ms per request and {c.worker_uss_mib:.0f} MiB per "
        f"worker measured → {bound}{best.capacity_rps.value:,.1f} req/s per "
        f"{best.instance_type} ({best.binding} binds) → {best.peak_instances} at the peak"
    )
    base = report.config(c.baseline_key) if c.baseline_key and c.baseline_key != key else None
    if base is not None and base.best is not None:
        b = base.best
        text += (
            f"; the baseline: {base.cpu_ms_per_request.mean:.2f} CPU-ms → "
            f"{b.capacity_rps.value:,.1f} req/s per {b.instance_type} ({b.binding} binds) → "
            f"{b.peak_instances} at the peak"
        )
    return text + "."
