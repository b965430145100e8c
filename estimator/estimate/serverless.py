"""Fargate and Lambda priced from the same measurements as the instances: the capacity
stage's usage (vCPU-/GB-hours; requests and GB-seconds) × the catalog's prices."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from estimator.capacity import (
    Arch,
    FargateCandidate,
    MeasuredInputs,
    plan_fargate,
    plan_lambda,
)
from estimator.capacity.awslambda import billed_ms
from estimator.capacity.fleet import FleetCounts
from estimator.estimate.arith import (
    fargate_cost,
    lambda_cost,
    lambda_gb_seconds,
    per_million,
)
from estimator.estimate.context import Context
from estimator.estimate.instances import misses_slo
from estimator.estimate.options import FargateOption, LambdaOption
from estimator.estimate.request import FleetMode
from estimator.money import cents
from estimator.pricing import FargatePrice, LambdaPrice


def fargate_option(
    c: FargateCandidate, price: FargatePrice, fleet: FleetMode, requests: Decimal
) -> FargateOption:
    auto = fargate_cost(c.vcpu_hours_per_month, c.gb_hours_per_month, price)
    fixed = fargate_cost(c.fixed_vcpu_hours_per_month, c.fixed_gb_hours_per_month, price)
    vcpu_h, gb_h = (
        (c.fixed_vcpu_hours_per_month, c.fixed_gb_hours_per_month)
        if fleet == "fixed"
        else (c.vcpu_hours_per_month, c.gb_hours_per_month)
    )
    ranked = fixed if fleet == "fixed" else auto
    counts = c.fleet.expected
    v, g = Decimal(str(c.task.vcpu)), Decimal(str(c.task.memory_gb))

    def at(end: FleetCounts | None) -> Decimal | None:
        if end is None:
            return None
        hours = (
            end.fixed_instance_hours_per_month
            if fleet == "fixed"
            else end.autoscaled_instance_hours_per_month
        )
        return fargate_cost(hours * v, hours * g, price)

    arithmetic = (
        f"{fleet}: {vcpu_h:,.1f} vCPU-hours × ${price.usd_per_vcpu_hour.normalize():f} + "
        f"{gb_h:,.1f} GB-hours × ${price.usd_per_gb_hour.normalize():f} = ${cents(ranked):,}/month"
    )
    return FargateOption(
        vcpu=c.task.vcpu,
        memory_gb=c.task.memory_gb,
        arch=c.task.arch,
        usd_per_vcpu_hour=price.usd_per_vcpu_hour,
        usd_per_gb_hour=price.usd_per_gb_hour,
        capacity_rps=c.capacity.capacity_rps,
        binding=c.capacity.binding,
        workers=c.capacity.workers,
        lower_bound=c.capacity.lower_bound,
        peak_tasks=counts.peak_instances,
        hourly_tasks=counts.hourly_instances,
        vcpu_hours=vcpu_h,
        gb_hours=gb_h,
        monthly_usd_autoscaled=auto,
        monthly_usd_fixed=fixed,
        monthly_usd=ranked,
        monthly_usd_low=at(c.fleet.optimistic),
        monthly_usd_high=at(c.fleet.pessimistic),
        usd_per_million_requests=per_million(ranked, requests),
        notes=[arithmetic, *c.fleet.notes],
    )


def price_fargate(
    inputs: MeasuredInputs, ctx: Context, prices: Mapping[Arch, FargatePrice]
) -> tuple[FargateOption | None, list[str]]:
    """The cheapest task size (over the priced architectures) meeting the SLO."""
    if not prices:
        return None, ["Fargate: no price for this region (see missing prices)"]
    plan = plan_fargate(inputs, ctx.traffic, ctx.assumptions, archs=tuple(prices))
    best: FargateOption | None = None
    slow = 0
    for c in plan.candidates:
        if not c.capacity.fits or misses_slo(inputs, c.capacity.service_time_ms):
            slow += 1
            continue
        option = fargate_option(c, prices[c.task.arch], ctx.fleet, ctx.requests)
        key = (cents(option.monthly_usd), option.vcpu, option.arch)
        if best is None or key < (cents(best.monthly_usd), best.vcpu, best.arch):
            best = option
    notes: list[str] = []
    if slow:
        notes.append(f"Fargate: {slow} task size(s) left out: predicted p95 over the SLO")
    if plan.not_fitting:
        notes.append("Fargate sizes that do not fit: " + "; ".join(plan.not_fitting))
    if best is None:
        notes.insert(0, "Fargate: no task size fits and meets the SLO")
    return best, notes


def lambda_option(
    inputs: MeasuredInputs, ctx: Context, arch: Arch, price: LambdaPrice
) -> LambdaOption:
    requests = ctx.requests
    plan = plan_lambda(inputs, ctx.traffic, ctx.assumptions, arch=arch)
    gbs = lambda_gb_seconds(requests, plan.billed_duration_ms, plan.memory_mb)

    def at(duration_ms: float | None) -> Decimal | None:
        if duration_ms is None:
            return None
        gb_s = lambda_gb_seconds(requests, billed_ms(duration_ms / 1000), plan.memory_mb)
        return lambda_cost(requests, gb_s, price)

    request_usd = lambda_cost(requests, Decimal(0), price)
    total = lambda_cost(requests, gbs, price)
    arithmetic = (
        f"{requests:,.0f} requests × ${price.usd_per_million_requests.normalize():f}/million + "
        f"{gbs:,.0f} GB-s × ${price.usd_per_gb_second.normalize():f} = ${cents(total):,}/month "
        f"({price.duration_tier}; no free tier)"
    )
    return LambdaOption(
        arch=arch,
        memory_mb=plan.memory_mb,
        memory_reason=plan.memory_reason,
        billed_duration_ms=plan.billed_duration_ms,
        requests_per_month=requests,
        gb_seconds_per_month=gbs,
        usd_per_million_requests_price=price.usd_per_million_requests,
        usd_per_gb_second=price.usd_per_gb_second,
        request_usd=request_usd,
        duration_usd=total - request_usd,
        monthly_usd=total,
        monthly_usd_low=at(plan.duration_ms.low),
        monthly_usd_high=at(plan.duration_ms.high),
        usd_per_million_requests=per_million(total, requests),
        predicted_p95_ms=plan.predicted_p95_ms,
        fits=plan.fits,
        meets_slo=plan.meets_slo,
        peak_concurrency=plan.peak_concurrency,
        over_concurrency_limit=plan.over_concurrency_limit,
        notes=[arithmetic, *plan.notes],
        not_modelled=plan.not_modelled,
    )


def price_lambda(
    inputs: MeasuredInputs, ctx: Context, prices: Mapping[Arch, LambdaPrice]
) -> tuple[LambdaOption | None, list[str]]:
    """The cheapest architecture whose function holds the process and meets the SLO."""
    if not prices:
        return None, ["Lambda: no price for this region (see missing prices)"]
    best: LambdaOption | None = None
    notes: list[str] = []
    for arch, price in prices.items():
        option = lambda_option(inputs, ctx, arch, price)
        if not option.fits:
            notes.append(f"Lambda {arch}: the process does not fit ({option.memory_reason})")
            continue
        if not option.meets_slo:
            notes.append(
                f"Lambda {arch}: predicted p95 {option.predicted_p95_ms:,.1f} ms misses the "
                f"{inputs.slo_p95_ms:g} ms SLO even at a full vCPU"
            )
            continue
        if option.over_concurrency_limit:
            notes.append(
                f"Lambda {arch}: peak concurrency {option.peak_concurrency} is over the account "
                f"limit {ctx.assumptions.lambda_concurrency_limit} (ask AWS to raise it)"
            )
        if best is None or cents(option.monthly_usd) < cents(best.monthly_usd):
            best = option
    return best, notes
