"""`estimate()`: from measured configurations and a price catalog to a ranked monthly bill.

For every configuration: every candidate instance type (the request's region, purchase option
and filters) → capacity → fleet → $/month; the cheapest meeting the SLO with its runner-ups;
Fargate and Lambda from the same measurements; the saving vs its app's baseline. A
configuration the model cannot use is excluded with its reason; the others go on.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
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
from estimator.estimate.arith import requests_per_month
from estimator.estimate.baseline import choose_baselines, with_savings
from estimator.estimate.breakeven import Priced, break_even
from estimator.estimate.context import Context
from estimator.estimate.errors import EstimateError
from estimator.estimate.headline import headlines, method_notes
from estimator.estimate.instances import TOP, price_instances, shape_of
from estimator.estimate.models import (
    ConfigEstimate,
    EstimateReport,
    PricingInfo,
    TrafficSummary,
)
from estimator.estimate.ranking import explain_tie, sort_key
from estimator.estimate.request import EstimateRequest
from estimator.estimate.serverless import price_fargate, price_lambda
from estimator.estimate.speeds import SERVERLESS, HostSpeeds, for_host
from estimator.estimate.warnings import report_warnings
from estimator.money import HOURS_PER_MONTH
from estimator.pricing import Catalog, FargatePrice, InstanceType, LambdaPrice, MissingPrices
from estimator.pricing.models import source_lines
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
    if len(ranked) > 1:
        (n1, o1), (n2, o2) = ranked[0], ranked[1]
        tie = explain_tie(o1, o2, n1, n2)
        if tie:
            options[0] = o1.model_copy(update={"notes": [tie, *o1.notes]})
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
        cpu_ms_per_request=s.cpu_s_per_request.mean * 1000,
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
        tie_note=None,
        unpriced_reason=unpriced,
        warnings=[*_noisy(s), *s.warnings],
    ), priced


def _noisy(s: ConfigSummary) -> list[str]:
    if s.p95_steady_ms.mean <= s.slo_p95_ms:
        return []
    return [
        f"measured p95 at the lowest steady rate ({s.p95_steady_ms.mean:,.1f} ms) is over the "
        f"{s.slo_p95_ms:g} ms SLO although the capacity search met it at "
        f"{s.capacity_rps.mean:,.1f} req/s: a noisy measurement (a loaded machine?); re-measure"
    ]


def rank(configs: Sequence[ConfigEstimate]) -> list[ConfigEstimate]:
    """By app, then cheapest first (ties broken as `ranking` says); unpriced last."""
    by_app: dict[str, list[ConfigEstimate]] = defaultdict(list)
    for c in configs:
        by_app[c.app].append(c)
    out: list[ConfigEstimate] = []
    for app in sorted(by_app):
        priced = sorted(
            (c for c in by_app[app] if c.best is not None),
            key=lambda c: sort_key(c.options[0], c.key),
        )
        ties: dict[str, str] = {}
        for first, second in itertools.pairwise(priced):
            note = explain_tie(first.options[0], second.options[0], first.key, second.key)
            if note:
                ties.setdefault(first.key, note)
                ties.setdefault(second.key, note)
        for i, c in enumerate(priced, start=1):
            out.append(c.model_copy(update={"rank": i, "tie_note": ties.get(c.key)}))
        out.extend(sorted((c for c in by_app[app] if c.best is None), key=lambda c: c.key))
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
        modelled.append(s)
    if not configs:
        raise EstimateError(
            f"none of the {len(items)} measured configurations could be modelled "
            f"({excluded[-1].key}: {excluded[-1].reason}); re-measure them"
        )
    ranked = rank(with_savings(configs, choose_baselines(items, request.baseline)))
    heads = [
        h.model_copy(
            update={
                "break_even": break_even(
                    [priced[c.key] for c in ranked if c.app == h.app], prices.candidates
                )
            }
        )
        for h in headlines(ranked, request)
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
        headlines=heads,
        excluded=excluded,
        missing_prices=missing.items(),
        warnings=[*report_warnings(modelled, ranked, request), *prices.bad_rows, *speed_warnings],
        notes=method_notes(request),
    )
