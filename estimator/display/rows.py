"""One configuration as every table shows it, and the lists of inputs, hosts and prices.
Formats lay these out; none recomputes or rewords a number, so csv, md, html, the terminal
and the dashboard agree to the cent and to the word."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.display.phrases import (
    not_ranked_phrase,
    saving_phrase,
    setting_phrase,
    tie_cell,
    workers_phrase,
)
from estimator.display.text import count_range, estimate, rps, span, usd, usd_range
from estimator.estimate import ConfigEstimate, EstimateReport
from estimator.host import HostFacts
from estimator.pricing.missing import MissingPrices


@dataclass(frozen=True)
class Row:
    """One configuration: display strings, and the numbers tables sort or chart by."""

    app: str
    rank: str
    key: str
    instance: str
    peak: str
    peak_range: str
    hourly: str
    monthly: str
    monthly_range: str
    autoscaled: str
    fixed: str
    per_million: str
    binding: str
    capacity: str
    cpu_ms: str
    tie: str
    saving: str
    fargate: str
    fargate_monthly: str
    aws_lambda: str
    lambda_monthly: str
    runner_ups: str
    note: str
    settings: str
    """a measured connection setting that would cut the bill ('' if none)"""
    is_baseline: bool
    lower_bound: bool
    ranked: bool
    monthly_usd: Decimal | None
    monthly_usd_low: Decimal | None
    monthly_usd_high: Decimal | None


def row(c: ConfigEstimate, report: EstimateReport) -> Row:
    b = c.best
    f, lam = c.fargate, c.aws_lambda
    notes = []
    if c.not_ranked_reason:
        notes.append(not_ranked_phrase(c.not_ranked_reason))
    if b is not None and b.lower_bound:
        notes.append("cost is an upper bound (capacity measured as a lower bound)")
    if c.unpriced_reason:
        notes.append(c.unpriced_reason)
    if c.slo_utilization is not None and c.slo_utilization > 1:
        notes.append(f"ρ_SLO = {c.slo_utilization:.3g} > 1: the measurements contradict each other")
    if workers := workers_phrase(c):
        notes.append(workers)
    settings = "; ".join(setting_phrase(a) for a in c.setting_alternatives[:1])
    if settings:
        notes.append(settings)
    known = b is not None and b.monthly_usd_low is not None
    return Row(
        app=c.app,
        rank=str(c.rank) if c.rank is not None else "–",
        key=c.key,
        instance=b.instance_type if b else "not priced",
        peak=str(b.peak_instances) if b else "",
        peak_range=count_range(
            b.peak_instances, b.peak_instances_low, b.peak_instances_high, known=known
        )
        if b
        else "",
        hourly=span(b.hourly_instances) if b else "",
        monthly=usd(b.monthly_usd, bound=b.lower_bound) if b else "",
        monthly_range=usd_range(b.monthly_usd_low, b.monthly_usd_high, lower_bound=b.lower_bound)
        if b
        else "",
        autoscaled=usd(b.monthly_usd_autoscaled) if b else "",
        fixed=usd(b.monthly_usd_fixed) if b else "",
        per_million=usd(b.usd_per_million_requests) if b else "",
        binding=b.binding if b else "",
        capacity=rps(b.capacity_rps, lower_bound=b.lower_bound) if b else "",
        cpu_ms=estimate(c.cpu_ms_per_request, "ms"),
        tie=tie_cell(c, report),
        saving=""
        if b is None or c.not_ranked_reason
        else saving_phrase(c.saving, is_baseline=c.is_baseline),
        fargate=f.name if f else "",
        fargate_monthly=usd(f.monthly_usd, bound=f.lower_bound) if f else "",
        aws_lambda=lam.name if lam else "",
        lambda_monthly=usd(lam.monthly_usd) if lam else "",
        runner_ups=", ".join(
            f"{o.peak_instances} × {o.instance_type} {usd(o.monthly_usd)}" for o in c.options[1:]
        ),
        note="; ".join(notes),
        settings=settings,
        is_baseline=c.is_baseline,
        lower_bound=b is not None and b.lower_bound,
        ranked=c.rank is not None,
        monthly_usd=b.monthly_usd if b else None,
        monthly_usd_low=b.monthly_usd_low if b else None,
        monthly_usd_high=b.monthly_usd_high if b else None,
    )


def rows(report: EstimateReport, app: str | None = None) -> list[Row]:
    return [row(c, report) for c in report.configurations if app is None or c.app == app]


RANKED = (
    "rank",
    "configuration",
    "instance",
    "peak (range)",
    "$/month",
    "95% range",
    "autoscaled",
    "fixed",
    "$/M requests",
    "binding",
    "capacity/instance",
    "tie group",
    "saving vs baseline",
)


def ranked_cells(r: Row) -> list[str]:
    return [
        r.rank,
        r.key,
        r.instance,
        f"{r.peak} ({r.peak_range})" if r.peak else "",
        r.monthly,
        r.monthly_range,
        r.autoscaled,
        r.fixed,
        r.per_million,
        r.binding,
        r.capacity,
        r.tie,
        r.saving,
    ]


SERVERLESS = ("configuration", "Fargate task", "Fargate $/month", "Lambda", "Lambda $/month")


def serverless_cells(r: Row) -> list[str]:
    return [r.key, r.fargate or "–", r.fargate_monthly, r.aws_lambda or "–", r.lambda_monthly]


def title(report: EstimateReport) -> str:
    r = report.request
    return (
        f"Monthly cost estimate: {r.region}, {r.purchase}, peak {report.traffic.peak_rps:,.1f} "
        f"req/s ({r.profile or 'traffic file'})"
    )


def inputs(report: EstimateReport) -> list[tuple[str, str]]:
    """Every input of the estimate, labelled."""
    r, t = report.request, report.traffic
    hourly = ", ".join(f"{x:g}" for x in r.traffic.hourly_rps)
    return [
        ("traffic", f"{t.source}: peak {t.peak_rps:,.1f} req/s, mean {t.mean_rps:,.1f} req/s"),
        ("hourly req/s (hour 0–23)", hourly),
        ("requests per month", f"{t.requests_per_month:,.0f}"),
        ("region", r.region),
        ("purchase option", r.purchase),
        ("fleet mode ranked", f"{r.fleet} (both shown)"),
        ("architecture", r.arch or "any"),
        ("families", ", ".join(r.families) or "any"),
        ("max $/hour", f"{r.max_usd_per_hour:f}" if r.max_usd_per_hour is not None else "none"),
        ("baseline", "; ".join(r.baseline) or "default rule (per app)"),
        ("assumption overrides", "; ".join(r.assume) or "none"),
        ("serverless (Fargate, Lambda)", "priced" if r.include_serverless else "not priced"),
        ("discount", f"{r.discount_pct:f}%" if r.discount_pct is not None else "none"),
        ("custom prices", r.custom_prices or "none"),
        ("refreshed prices", "used when newer" if r.user_catalog else "ignored"),
        ("price catalog", f"{report.pricing.snapshot_date.isoformat()}: {report.pricing.source}"),
        ("results store", report.results or "(given directly)"),
        ("scenarios", ", ".join(report.scenarios) or "(not recorded)"),
        ("arrival process", ", ".join(report.arrivals) or "(not recorded)"),
        ("generated", f"{report.generated_at.isoformat()} by estimator {report.estimator_version}"),
    ]


def host_line(h: HostFacts) -> str:
    mem = f", {h.memory_gib:g} GiB" if h.memory_gib is not None else ""
    virt = f", {h.virtualization}" if h.virtualization else ""
    smt = "SMT" if h.threads_per_core > 1 else "1 thread per core"
    return f"{h.cpu_model}, {h.logical_cpus} CPUs ({smt}){mem}, kernel {h.kernel}{virt}"


def missing_lines(report: EstimateReport) -> list[str]:
    return MissingPrices.of(report.missing_prices).lines()


def pricing_lines(report: EstimateReport) -> list[str]:
    p = report.pricing
    return [
        f"catalog {p.snapshot_date.isoformat()}: {p.source}",
        *[f"source: {s}" for s in p.sources],
        *[f"override: {n}" for n in p.notes],
        *[f"caveat: {c}" for c in p.caveats],
    ]
