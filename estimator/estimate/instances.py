"""One measured configuration on every candidate EC2 instance type: capacity → fleet →
monthly cost, the cheapest first. Types where a worker does not fit, or where even a lightly
loaded instance would miss the p95 SLO, are left out with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import ValidationError

from estimator.capacity import (
    CapacityError,
    HardwareShape,
    InstanceCapacity,
    MeasuredInputs,
    instance_capacity,
    plan_fleet,
)
from estimator.capacity.fleet import FleetCounts, FleetPlan
from estimator.estimate.arith import instance_cost, per_million
from estimator.estimate.context import Context
from estimator.estimate.options import InstanceOption
from estimator.estimate.ranking import rank_options
from estimator.estimate.request import FleetMode
from estimator.money import cents
from estimator.pricing import InstanceType
from estimator.pricing.missing import compact_types

TOP = 3
"""Options kept per configuration: the cheapest and its runner-ups."""


def shape_of(it: InstanceType) -> HardwareShape:
    """The capacity model's view of a price-catalog row."""
    return HardwareShape.ec2(
        it.name,
        it.vcpu,
        float(it.memory_gib),
        it.arch,
        it.cpu_vendor,
        physical_cores=it.physical_cores,
        burstable=it.burstable,
    )


def p95_ratio(inputs: MeasuredInputs) -> float:
    """Measured p95 ÷ mean latency at low load (at least 1)."""
    return max(1.0, inputs.p95_low_ms.mean / inputs.latency_low_ms.mean)


def predicted_p95_ms(inputs: MeasuredInputs, service_time_ms: float) -> float:
    """p95 at low load on a target: its service time × the measured p95/mean."""
    return service_time_ms * p95_ratio(inputs)


def misses_slo(inputs: MeasuredInputs, service_time_ms: float) -> bool:
    """Only a target slower than the measuring host can miss the p95 SLO at low load: the
    measurement met it up to its capacity."""
    slower = service_time_ms > inputs.latency_low_ms.mean * (1 + 1e-9)
    return slower and predicted_p95_ms(inputs, service_time_ms) > inputs.slo_p95_ms


def _hours(counts: FleetCounts, fleet: FleetMode) -> Decimal:
    if fleet == "fixed":
        return counts.fixed_instance_hours_per_month
    return counts.autoscaled_instance_hours_per_month


def _ends(
    plan: FleetPlan, fleet: FleetMode, usd_per_hour: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """$/month at the high and the low end of the capacity spread (see the models' doc)."""
    low = None if plan.optimistic is None else _hours(plan.optimistic, fleet) * usd_per_hour
    high = None if plan.pessimistic is None else _hours(plan.pessimistic, fleet) * usd_per_hour
    return low, high


def cost_interval(
    inputs: MeasuredInputs, it: InstanceType, ctx: Context, confidence: float
) -> tuple[Decimal | None, Decimal | None]:
    """The ranked $/month of `inputs` on `it` at the ends of CIs widened to `confidence`
    (the tie rule's intervals)."""
    cap = instance_capacity(inputs.at_confidence(confidence), shape_of(it), ctx.assumptions)
    return _ends(plan_fleet(cap, ctx.traffic), ctx.fleet, it.usd_per_hour)


def option_for(
    it: InstanceType, cap: InstanceCapacity, ctx: Context, predicted_p95_ms: float
) -> InstanceOption:
    traffic, fleet, requests = ctx.traffic, ctx.fleet, ctx.requests
    plan = plan_fleet(cap, traffic)
    counts = plan.expected
    auto = instance_cost(counts.autoscaled_instance_hours_per_month, it.usd_per_hour)
    fixed = instance_cost(counts.fixed_instance_hours_per_month, it.usd_per_hour)
    ranked = fixed if fleet == "fixed" else auto
    low, high = _ends(plan, fleet, it.usd_per_hour)
    x = cap.capacity_rps.value
    peak = traffic.peak_rps
    n = counts.peak_instances
    price = f"${it.usd_per_hour.normalize():f}/h"
    notes = [
        f"fixed fleet: {counts.fixed_instance_hours_per_month:,.0f} instance-hours × {price} = "
        f"${cents(fixed):,}/month; autoscaled: "
        f"{counts.autoscaled_instance_hours_per_month:,.1f} instance-hours × {price} = "
        f"${cents(auto):,}/month",
        *[n_ for n_ in cap.notes if not n_.startswith("measurement warning:")],
        *plan.notes,
    ]
    return InstanceOption(
        instance_type=it.name,
        family=it.family,
        vcpu=it.vcpu,
        memory_gib=it.memory_gib,
        arch=it.arch,
        cpu_vendor=it.cpu_vendor,
        burstable=it.burstable,
        usd_per_hour=it.usd_per_hour,
        list_usd_per_hour=it.list_usd_per_hour,
        capacity_rps=cap.capacity_rps,
        binding=cap.binding,
        workers=cap.workers,
        utilization=cap.utilization,
        lower_bound=cap.lower_bound,
        peak_instances=n,
        hourly_instances=counts.hourly_instances,
        peak_instances_low=None if plan.optimistic is None else plan.optimistic.peak_instances,
        peak_instances_high=None if plan.pessimistic is None else plan.pessimistic.peak_instances,
        instance_hours_autoscaled=counts.autoscaled_instance_hours_per_month,
        instance_hours_fixed=counts.fixed_instance_hours_per_month,
        monthly_usd_autoscaled=auto,
        monthly_usd_fixed=fixed,
        monthly_usd=ranked,
        monthly_usd_low=low,
        monthly_usd_high=high,
        usd_per_million_requests=per_million(ranked, requests),
        peak_utilization=cap.utilization * peak / (n * x),
        headroom_rps=n * x - peak,
        predicted_p95_ms=predicted_p95_ms,
        notes=notes,
    )


def price_instances(
    inputs: MeasuredInputs,
    candidates: Sequence[tuple[InstanceType, HardwareShape]],
    ctx: Context,
) -> tuple[list[tuple[str, InstanceOption]], list[str]]:
    """Every candidate that fits and meets the SLO, cheapest first; and the left-out types
    grouped by reason."""
    options: list[tuple[str, InstanceOption]] = []
    left_out: dict[str, list[str]] = {}
    for it, shape in candidates:
        try:
            cap = instance_capacity(inputs, shape, ctx.assumptions)
        except (CapacityError, ValidationError) as exc:
            left_out.setdefault(f"not modelled ({exc})", []).append(it.name)
            continue
        if not cap.fits or not cap.capacity_rps.value > 0:
            left_out.setdefault("one worker does not fit in memory", []).append(it.name)
            continue
        p95 = predicted_p95_ms(inputs, cap.service_time_ms)
        if misses_slo(inputs, cap.service_time_ms):
            reason = (
                f"a slower CPU than the measuring host's (cpu_speed): predicted p95 at low "
                f"load over the {inputs.slo_p95_ms:g} ms SLO"
            )
            left_out.setdefault(reason, []).append(it.name)
            continue
        options.append((it.name, option_for(it, cap, ctx, p95)))
    skipped = [f"{compact_types(names)}: {why}" for why, names in left_out.items()]
    return rank_options(options), skipped
