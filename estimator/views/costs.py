"""The estimate behind the Overview, Compare and Export pages: the what-if settings applied
to the store's measurements (at the what-if SLO) and the price catalog, and the report's
figures shaped for headline cards, the cost table and the cost chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from pydantic import Field

from estimator._model import Model
from estimator.estimate import ConfigEstimate, EstimateReport, estimate
from estimator.pricing import Catalog
from estimator.store.summarize import Summaries, summarize

__all__ = ["Summaries", "report_for", "summaries_at"]
from estimator.views import fmt
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


class CostRow(Model):
    key: str
    app: str
    variant: str
    server: str
    rank: int | None
    option: str = Field(description="'4 × t4g.micro', or why it is not priced")
    monthly_usd: Decimal | None
    monthly_usd_high: Decimal | None = Field(description="at the low end of capacity's spread")
    usd_per_million: Decimal | None
    binding: str | None
    lower_bound: bool = Field(
        description="the cost is at most this (its capacity is a lower bound)"
    )
    is_baseline: bool
    saving_usd: Decimal | None
    saving_pct: Decimal | None
    fargate_usd: Decimal | None
    lambda_usd: Decimal | None


def cost_row(c: ConfigEstimate) -> CostRow:
    best = c.best
    saving = c.saving if c.saving is not None and not c.is_baseline else None
    return CostRow(
        key=c.key,
        app=c.app,
        variant=c.variant,
        server=c.server,
        rank=c.rank,
        option=f"{best.peak_instances} × {best.instance_type}"
        if best
        else f"not priced: {c.unpriced_reason or 'no option'}",
        monthly_usd=best.monthly_usd if best else None,
        monthly_usd_high=best.monthly_usd_high if best else None,
        usd_per_million=best.usd_per_million_requests if best else None,
        binding=best.binding if best else None,
        lower_bound=bool(best and best.lower_bound),
        is_baseline=c.is_baseline,
        saving_usd=saving.usd if saving else None,
        saving_pct=saving.pct if saving else None,
        fargate_usd=c.fargate.monthly_usd if c.fargate else None,
        lambda_usd=c.aws_lambda.monthly_usd if c.aws_lambda and c.aws_lambda.fits else None,
    )


def cost_rows(report: EstimateReport) -> dict[str, CostRow]:
    return {c.key: cost_row(c) for c in report.configurations}


def money_text(value: Decimal | None, lower_bound: bool = False) -> str:
    """'$19.42', '≤ $25.55' when the capacity behind it is a lower bound, '—' if not priced."""
    if value is None:
        return "—"
    return f"{'≤ ' if lower_bound else ''}{fmt.usd(value)}"


def saving_text(row: CostRow) -> str:
    if row.is_baseline:
        return "baseline"
    if row.saving_usd is None or row.saving_pct is None:
        return "—"
    if row.saving_usd == 0:
        return "same"
    verb = "saves" if row.saving_usd > 0 else "costs"
    extra = "" if row.saving_usd > 0 else " more"
    return f"{verb} {fmt.usd(abs(row.saving_usd))}{extra} ({abs(row.saving_pct):.1f}%)"


def cost_chart_frame(report: EstimateReport) -> pd.DataFrame:
    """$/month per priced configuration for the headline chart."""
    records = []
    for c in report.configurations:
        row = cost_row(c)
        if row.monthly_usd is None:
            continue
        role = "cheapest" if c.rank == 1 else "baseline" if c.is_baseline else ""
        records.append(
            {
                "app": c.app,
                "interpreter": c.variant,
                "server config": c.server,
                "$/month": float(row.monthly_usd),
                "cost": money_text(row.monthly_usd, row.lower_bound),
                "fleet": row.option,
                "binding limit": row.binding,
                "vs baseline": saving_text(row),
                "role": role,
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "app",
            "interpreter",
            "server config",
            "$/month",
            "cost",
            "fleet",
            "binding limit",
            "vs baseline",
            "role",
        ],
    )


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
        f"{c.cpu_ms_per_request:.2f} CPU-ms per request and {c.worker_uss_mib:.0f} MiB per "
        f"worker measured → {bound}{best.capacity_rps.value:,.1f} req/s per "
        f"{best.instance_type} ({best.binding} binds) → {best.peak_instances} at the peak"
    )
    base = report.config(c.baseline_key) if c.baseline_key and c.baseline_key != key else None
    if base is not None and base.best is not None:
        b = base.best
        text += (
            f"; the baseline: {base.cpu_ms_per_request:.2f} CPU-ms → "
            f"{b.capacity_rps.value:,.1f} req/s per {b.instance_type} ({b.binding} binds) → "
            f"{b.peak_instances} at the peak"
        )
    return text + "."
