"""`estimate()`: from measured configurations and a price catalog to a ranked monthly bill.

For every configuration: every candidate instance type (the request's region, purchase option
and filters) → capacity → fleet → $/month; the cheapest meeting the SLO with its runner-ups;
Fargate and Lambda from the same measurements; the saving vs its app's baseline. A
configuration the model cannot use is excluded with its reason; the others go on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pydantic import ValidationError

from estimator import __version__
from estimator.calibrate import CalibrationBook, load_book
from estimator.capacity import (
    Arch,
    Assumptions,
    CapacityError,
    HardwareShape,
    MeasuredInputs,
    with_measured_quota_curve,
)
from estimator.capacity.limits import slo_utilization
from estimator.estimate.arith import requests_per_month
from estimator.estimate.baseline import choose_baselines, with_savings
from estimator.estimate.breakeven import Priced, break_even
from estimator.estimate.context import Context
from estimator.estimate.errors import EstimateError
from estimator.estimate.headline import headlines, method_notes
from estimator.estimate.instances import TOP, cost_interval, price_instances, shape_of
from estimator.estimate.models import (
    AppTies,
    ConfigEstimate,
    EstimateReport,
    PricingInfo,
    TieMember,
    TrafficSummary,
)
from estimator.estimate.ranking import sort_key
from estimator.estimate.request import EstimateRequest
from estimator.estimate.serverless import price_fargate, price_lambda
from estimator.estimate.settings import with_setting_alternatives
from estimator.estimate.speeds import SERVERLESS, HostSpeeds, for_host
from estimator.estimate.ties import app_ties, confidence_for
from estimator.estimate.warnings import report_warnings
from estimator.money import HOURS_PER_MONTH
from estimator.pricing import Catalog, FargatePrice, InstanceType, LambdaPrice, MissingPrices
from estimator.pricing.models import source_lines
from estimator.stats import Estimate
from estimator.store.summarize import Excluded, Summaries
from estimator.store.summary import ConfigSummary

ARCHES: tuple[Arch, ...] = ("x86_64", "arm64")


class _Prices:
    """The request's priced EC2 candidates and serverless price sheets, missing ones noted."""

    def __init__(self, catalog: Catalog, request: EstimateRequest, missing: MissingPrices):
        r = request
        families = r.families or None
        rows = catalog.filter(
            region=r.region,
            family=families,
            arch=r.arch,
            max_price=r.max_usd_per_hour,
            purchase=r.purchase,
        )
        if not r.include_burstable:
            rows = [it for it in rows if not it.burstable or it.family in r.families]
        catalog.missing(
            region=r.region, family=families, arch=r.arch, purchase=r.purchase, into=missing
        )
        self.candidates: list[tuple[InstanceType, HardwareShape]] = []
        self.bad_rows: list[str] = []
        for it in rows:
            try:
                self.candidates.append((it, shape_of(it)))
            except (ValidationError, CapacityError) as exc:
                self.bad_rows.append(f"{it.name}: catalog row not usable ({exc})")
        if not self.candidates:
            shown = ", ".join(f"{k}={v}" for k, v in r.filters().items())
            why = missing.summary() or "no type passes the filters"
            raise EstimateError(
                f"no EC2 price matches {shown}: {why}; widen the filters or pick another region"
            )
        archs = (r.arch,) if r.arch else ARCHES
        self.fargate: dict[Arch, FargatePrice] = {}
        self.aws_lambda: dict[Arch, LambdaPrice] = {}
        self.serverless = r.include_serverless
        if r.include_serverless:
            for a in archs:
                if (fp := catalog.fargate_price(r.region, a, missing)) is not None:
                    self.fargate[a] = fp
                if (lp := catalog.lambda_price(r.region, a, missing)) is not None:
                    self.aws_lambda[a] = lp


def _config(
    s: ConfigSummary, inputs: MeasuredInputs, prices: _Prices, ctx: Context
) -> tuple[ConfigEstimate, Priced]:
    ranked, skipped = price_instances(inputs, prices.candidates, ctx)
    options = [o for _, o in ranked[:TOP]]
    fargate, lam, serverless_notes = None, None, []
    if prices.serverless:
        fargate, f_notes = price_fargate(inputs, ctx, prices.fargate)
        lam, l_notes = price_lambda(inputs, ctx, prices.aws_lambda)
        serverless_notes = [*f_notes, *l_notes]
    unpriced = None
    if not options:
        unpriced = "no candidate instance type fits and meets the SLO: " + "; ".join(skipped)
    priced = Priced(key=s.key, inputs=inputs, ctx=ctx, ranked=ranked)
    return ConfigEstimate(
        key=s.key,
        app=s.app,
        variant=s.variant,
        server=s.server.label,
        rank=None,
        run_ids=s.run_ids,
        repetitions=s.capacity_rps.n,
        slo_p95_ms=s.slo_p95_ms,
        measured_capacity_rps=s.capacity_rps,
        measured_lower_bound=s.capacity_is_lower_bound,
        cpu_ms_per_request=_ms(s.cpu_s_per_request),
        latency_low_ms=s.latency_low_ms.mean,
        worker_uss_mib=s.worker_uss_mb.mean,
        workers=s.workers,
        slots=s.slots,
        options=options,
        considered=len(prices.candidates),
        skipped=skipped,
        fargate=fargate,
        aws_lambda=lam,
        serverless_notes=serverless_notes,
        baseline_key=None,
        baseline_reason=None,
        saving=None,
        tie_group=None,
        not_ranked_reason=s.not_ranked_reason,
        arrivals=s.arrivals,
        slo_utilization=slo_utilization(inputs, inputs.point(), ctx.assumptions),
        unpriced_reason=unpriced,
        warnings=[*_noisy(s), *s.warnings],
        busy_workers=s.effective_workers,
        workers_uneven=s.workers_uneven,
    ), priced


def _noisy(s: ConfigSummary) -> list[str]:
    if s.p95_steady_ms.mean <= s.slo_p95_ms:
        return []
    return [
        f"measured p95 at the lowest steady rate ({s.p95_steady_ms.mean:,.1f} ms) is over the "
        f"{s.slo_p95_ms:g} ms SLO although the capacity search met it at "
        f"{s.capacity_rps.mean:,.1f} req/s: a noisy measurement (a loaded machine?); re-measure"
    ]


def _ms(e: Estimate) -> Estimate:
    return Estimate(mean=e.mean * 1000, ci_low=e.ci_low * 1000, ci_high=e.ci_high * 1000, n=e.n)


def _rankable(c: ConfigEstimate) -> bool:
    return c.best is not None and c.not_ranked_reason is None


def tie_groups(
    configs: Sequence[ConfigEstimate],
    inputs: dict[str, MeasuredInputs],
    prices: _Prices,
    contexts: Mapping[str, Context],
) -> list[AppTies]:
    """Per app, the tie groups of its ranked configurations (rule: `ties`)."""
    types = {it.name: it for it, _ in prices.candidates}
    out = []
    for app in sorted({c.app for c in configs}):
        ranked = [c for c in configs if c.app == app and _rankable(c)]
        level = confidence_for(len(ranked))
        members = []
        for c in ranked:
            assert c.best is not None
            low, high = cost_interval(
                inputs[c.key], types[c.best.instance_type], contexts[c.key], level
            )
            members.append(
                TieMember(
                    key=c.key,
                    monthly_usd=c.best.monthly_usd,
                    monthly_usd_low=low,
                    monthly_usd_high=high,
                )
            )
        out.append(app_ties(app, members))
    return out


def rank(configs: Sequence[ConfigEstimate], ties: Sequence[AppTies]) -> list[ConfigEstimate]:
    """By app: ranked configurations cheapest first (equal costs ordered as `ranking` says),
    with their tie group; then the priced ones that are not ranked; unpriced last."""
    groups = {m.key: g.group for t in ties for g in t.groups for m in g.members}
    by_app: dict[str, list[ConfigEstimate]] = defaultdict(list)
    for c in configs:
        by_app[c.app].append(c)
    out: list[ConfigEstimate] = []
    for app in sorted(by_app):
        ranked = sorted(
            (c for c in by_app[app] if _rankable(c)),
            key=lambda c: sort_key(c.options[0], c.key),
        )
        for i, c in enumerate(ranked, start=1):
            out.append(c.model_copy(update={"rank": i, "tie_group": groups.get(c.key)}))
        rest = [c for c in by_app[app] if not _rankable(c)]
        out.extend(sorted(rest, key=lambda c: (c.best is None, c.key)))
    return out


def estimate(
    summaries: Summaries | Sequence[ConfigSummary],
    catalog: Catalog,
    request: EstimateRequest,
    *,
    scenarios: Sequence[str] = (),
    results: str | None = None,
    generated_at: datetime | None = None,
    calibration: CalibrationBook | None = None,
) -> EstimateReport:
    """Price every measured configuration for the request (see the module doc)."""
    if isinstance(summaries, Summaries):
        items, excluded = list(summaries.summaries), list(summaries.excluded)
    else:
        items, excluded = list(summaries), []
    if not items:
        why = f" ({len(excluded)} excluded: {excluded[0].reason})" if excluded else ""
        raise EstimateError(
            f"no usable measurements{why}; measure first with `estimator run quick` "
            "(or your own scenario), then estimate"
        )
    a = with_measured_quota_curve(Assumptions().with_overrides(request.assume), items)
    missing = MissingPrices()
    prices = _Prices(catalog, request, missing)
    requests = requests_per_month(request.traffic)
    if calibration is None:
        calibration = load_book() if request.calibrated_speeds else CalibrationBook()
    targets = {it.family: it.arch for it, _ in prices.candidates}
    if prices.serverless:
        targets.update(SERVERLESS)
    per_host: dict[str, tuple[Context, HostSpeeds]] = {}
    speed_warnings: list[str] = []
    configs: list[ConfigEstimate] = []
    priced: dict[str, Priced] = {}
    modelled: list[ConfigSummary] = []
    measured: dict[str, MeasuredInputs] = {}
    for s in items:
        host_key = s.host.model_dump_json()
        if host_key not in per_host:
            a_host, info, warns = for_host(a, s.host, targets, calibration)
            ctx = Context(request.traffic, a_host, request.fleet, requests)
            per_host[host_key] = (ctx, info)
            speed_warnings += warns
        try:
            inputs = MeasuredInputs.from_summary(s)
            config, priced[s.key] = _config(s, inputs, prices, per_host[host_key][0])
            configs.append(config)
        except CapacityError as exc:
            excluded.append(Excluded(key=s.key, reason=exc.message))
            continue
        measured[s.key] = inputs
        modelled.append(s)
    if not configs:
        raise EstimateError(
            f"none of the {len(items)} measured configurations could be modelled "
            f"({excluded[-1].key}: {excluded[-1].reason}); re-measure them"
        )
    ties = tie_groups(configs, measured, prices, {k: p.ctx for k, p in priced.items()})
    groups = {m.key: g.group for t in ties for g in t.groups for m in g.members}
    ranked = rank(with_savings(configs, choose_baselines(items, request.baseline), groups), ties)
    ranked = with_setting_alternatives(ranked, modelled, groups)
    heads = [
        h.model_copy(
            update={
                "break_even": break_even(
                    [priced[c.key] for c in ranked if c.app == h.app and _rankable(c)],
                    prices.candidates,
                )
            }
        )
        for h in headlines(ranked)
    ]
    hosts = {s.host.model_dump_json(): s.host for s in items}
    first = next(iter(per_host.values()), None)
    traffic = request.traffic
    return EstimateReport(
        generated_at=generated_at or datetime.now(UTC),
        estimator_version=__version__,
        request=request,
        traffic=TrafficSummary(
            source=traffic.source,
            profile=request.profile,
            peak_rps=traffic.peak_rps,
            mean_rps=sum(traffic.hourly_rps) / len(traffic.hourly_rps),
            requests_per_month=requests,
        ),
        pricing=PricingInfo(
            currency=catalog.currency,
            hours_per_month=HOURS_PER_MONTH,
            snapshot_date=catalog.snapshot_date,
            source=catalog.source,
            sources=source_lines(
                [
                    s
                    for s in catalog.sources
                    if (s.region, s.purchase) == (request.region, request.purchase)
                ]
            ),
            notes=catalog.notes,
            caveats=catalog.caveats,
        ),
        assumptions=first[0].assumptions if first else a,
        assumption_rows=(first[0].assumptions if first else a).describe(),
        hosts=list(hosts.values()),
        cpu_speeds=[info for _, info in per_host.values()],
        results=results,
        scenarios=sorted(set(scenarios)),
        configurations=ranked,
        ties=ties,
        arrivals=sorted({s.arrivals for s in modelled if s.arrivals}),
        headlines=heads,
        excluded=excluded,
        missing_prices=missing.items(),
        warnings=[*report_warnings(modelled, ranked, request), *prices.bad_rows, *speed_warnings],
        notes=method_notes(request),
    )
