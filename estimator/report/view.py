"""What every format shows, computed once: display strings for the ranked rows, the inputs,
the hosts. Formats lay these out; none recomputes a number, so csv, md, html and the terminal
agree to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.capacity import Interval
from estimator.estimate import ConfigEstimate, EstimateReport
from estimator.host import HostFacts
from estimator.money import cents
from estimator.pricing.missing import MissingPrices


def amount(value: Decimal) -> str:
    """Cents, no symbol or separators: '1234.50' (CSV)."""
    return f"{cents(value)}"


def usd(value: Decimal | None, *, bound: bool = False) -> str:
    """'$1,234.50'; '≤ $1,234.50' for an upper bound; '' for None."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{'≤ ' if bound else ''}{sign}${cents(abs(value)):,}"


def pct(value: Decimal) -> str:
    return f"{value:.1f}%"


def rps(interval: Interval) -> str:
    return f"{interval.value:,.1f} req/s ({interval.low:,.1f}–{interval.high:,.1f})"


def span(counts: list[int]) -> str:
    lo, hi = min(counts), max(counts)
    return str(lo) if lo == hi else f"{lo}–{hi}"


@dataclass(frozen=True)
class Row:
    """One configuration as every format shows it."""

    app: str
    rank: str
    key: str
    instance: str
    peak: str
    hourly: str
    monthly: str
    autoscaled: str
    fixed: str
    high: str
    per_million: str
    binding: str
    capacity: str
    saving: str
    saving_pct: str
    fargate: str
    fargate_monthly: str
    aws_lambda: str
    lambda_monthly: str
    runner_ups: str
    note: str
    is_baseline: bool
    lower_bound: bool


def row(c: ConfigEstimate) -> Row:
    b = c.best
    f, lam = c.fargate, c.aws_lambda
    saving = c.saving
    note = c.tie_note or c.unpriced_reason or ""
    if b is not None and b.lower_bound:
        note = "; ".join(
            x for x in ("cost is an upper bound (capacity measured as a lower bound)", note) if x
        )
    return Row(
        app=c.app,
        rank=str(c.rank) if c.rank is not None else "–",
        key=c.key,
        instance=b.instance_type if b else "not priced",
        peak=str(b.peak_instances) if b else "",
        hourly=span(b.hourly_instances) if b else "",
        monthly=usd(b.monthly_usd, bound=b.lower_bound) if b else "",
        autoscaled=usd(b.monthly_usd_autoscaled) if b else "",
        fixed=usd(b.monthly_usd_fixed) if b else "",
        high=usd(b.monthly_usd_high) if b else "",
        per_million=usd(b.usd_per_million_requests) if b else "",
        binding=b.binding if b else "",
        capacity=rps(b.capacity_rps) if b else "",
        saving=("baseline" if c.is_baseline else usd(saving.usd) if saving is not None else ""),
        saving_pct="" if saving is None or c.is_baseline else pct(saving.pct),
        fargate=f.name if f else "",
        fargate_monthly=usd(f.monthly_usd, bound=f.lower_bound) if f else "",
        aws_lambda=lam.name if lam else "",
        lambda_monthly=usd(lam.monthly_usd) if lam else "",
        runner_ups=", ".join(
            f"{o.peak_instances} × {o.instance_type} {usd(o.monthly_usd)}" for o in c.options[1:]
        ),
        note=note,
        is_baseline=c.is_baseline,
        lower_bound=b is not None and b.lower_bound,
    )


RANKED = (
    "rank",
    "configuration",
    "instance",
    "peak (hourly)",
    "$/month",
    "autoscaled",
    "fixed",
    "up to",
    "$/M requests",
    "binding",
    "capacity/instance",
    "saving vs baseline",
)


def ranked_cells(r: Row) -> list[str]:
    saving = f"{r.saving} ({r.saving_pct})" if r.saving_pct else r.saving
    return [
        r.rank,
        r.key,
        r.instance,
        f"{r.peak} ({r.hourly})" if r.peak else "",
        r.monthly,
        r.autoscaled,
        r.fixed,
        r.high,
        r.per_million,
        r.binding,
        r.capacity,
        saving,
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
    out = [
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
        ("generated", f"{report.generated_at.isoformat()} by estimator {report.estimator_version}"),
    ]
    return out


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
