"""From per-instance capacity and traffic to instance counts and instance-hours.

N_h = max(min_instances, ceil(λ_h ÷ X)) + redundancy for each hour of the profile. A fixed
fleet runs N_peak all month (× 730 h); an autoscaled one runs N_h in hour h (Σ N_h × 730/24).
"""

from __future__ import annotations

import math
from decimal import Decimal

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.errors import CapacityError
from estimator.capacity.instance import InstanceCapacity
from estimator.capacity.traffic import TrafficProfile, month_hours
from estimator.money import HOURS_PER_MONTH

_EXACT = 1e-9


def instances_for(rps: float, capacity_rps: float, assumptions: Assumptions) -> int:
    """Instances for a rate: max(min_instances, ceil(rps ÷ capacity)) + redundancy."""
    if not capacity_rps > 0:
        raise CapacityError(
            f"capacity = {capacity_rps} req/s per instance: cannot serve {rps:g} req/s; "
            "pick a target where the configuration fits"
        )
    if rps < 0:
        raise CapacityError(f"traffic = {rps} req/s: must be >= 0")
    needed = math.ceil(rps / capacity_rps - _EXACT) if rps > 0 else 0
    return max(assumptions.min_instances, needed) + assumptions.redundancy


class FleetCounts(Model):
    """Counts for one per-instance capacity."""

    capacity_rps: float | None = Field(
        description="None: capacity with no upper end (the counts are the floor: "
        "min_instances + redundancy every hour)"
    )
    hourly_instances: list[int] = Field(description="autoscaled: instances in each hour")
    peak_instances: int = Field(description="fixed fleet: instances all month")
    autoscaled_instance_hours_per_month: Decimal
    fixed_instance_hours_per_month: Decimal


def count(capacity_rps: float | None, traffic: TrafficProfile, a: Assumptions) -> FleetCounts:
    if capacity_rps is None:
        hourly = [a.min_instances + a.redundancy for _ in traffic.hourly_rps]
    else:
        hourly = [instances_for(r, capacity_rps, a) for r in traffic.hourly_rps]
    peak = max(hourly)
    return FleetCounts(
        capacity_rps=capacity_rps,
        hourly_instances=hourly,
        peak_instances=peak,
        autoscaled_instance_hours_per_month=month_hours(sum(hourly)),
        fixed_instance_hours_per_month=peak * HOURS_PER_MONTH,
    )


class FleetPlan(Model):
    """How many instances of one target serve a traffic profile, fixed and autoscaled."""

    config_key: str
    target: str
    traffic: TrafficProfile
    expected: FleetCounts = Field(description="at the capacity from the inputs' means")
    optimistic: FleetCounts | None = Field(
        description="at the high end of the capacity's spread (the fewest instances); "
        "None: the spread is not known (one measurement)"
    )
    pessimistic: FleetCounts | None = Field(
        description="at the low end of the capacity's spread (the most instances); None: not "
        "known (one measurement) or no finite count (the low end is 0: a corner does not fit, "
        "or an input's CI reaches zero)"
    )
    requests_per_month: float
    min_instances: int
    redundancy: int
    lower_bound: bool = Field(description="capacity is a lower bound: counts are at most this")
    notes: list[str]


def plan_fleet(capacity: InstanceCapacity, traffic: TrafficProfile) -> FleetPlan:
    """Counts per hour and at peak for a target the configuration fits on (check `fits`)."""
    if not capacity.fits:
        raise CapacityError(
            f"config '{capacity.config_key}' does not fit on {capacity.target.name}: "
            f"{capacity.memory_needed_gib:.2f} GiB needed; choose a target with more memory"
        )
    a = capacity.assumptions
    cap = capacity.capacity_rps
    expected = count(cap.value, traffic, a)
    optimistic = count(cap.high, traffic, a) if cap.known else None
    pessimistic = count(cap.low, traffic, a) if cap.low is not None and cap.low > 0 else None
    notes = [
        f"N_h = max(min {a.min_instances}, ceil(λ_h ÷ {cap.value:,.1f} req/s)) + redundancy "
        f"{a.redundancy}; peak {traffic.peak_rps:,.1f} req/s → {expected.peak_instances}",
        f"fixed fleet: {expected.peak_instances} × 730 h = "
        f"{expected.fixed_instance_hours_per_month:,.0f} instance-hours/month",
        f"autoscaled: Σ N_h = {sum(expected.hourly_instances)} instance-hours/day × 730/24 = "
        f"{expected.autoscaled_instance_hours_per_month:,.1f} instance-hours/month "
        "(assumes scaling keeps up with hourly changes; warm-up and scaling lag not modelled)",
    ]
    if not cap.known:
        notes.append("counts at the ends of the capacity's spread: not known (one measurement)")
    elif pessimistic is None:
        notes.append(
            "at the low end of the capacity's spread (0 req/s: a corner does not fit, or an "
            "input's CI reaches zero) no finite count serves the peak"
        )
    elif pessimistic.peak_instances != expected.peak_instances:
        notes.append(
            f"at the capacity's low end ({cap.low:,.1f} req/s) the peak needs "
            f"{pessimistic.peak_instances}"
        )
    if optimistic is not None and optimistic.peak_instances != expected.peak_instances:
        end = "no upper end" if cap.high is None else f"{cap.high:,.1f} req/s"
        notes.append(
            f"at the capacity's high end ({end}) the peak needs {optimistic.peak_instances}"
        )
    return FleetPlan(
        config_key=capacity.config_key,
        target=capacity.target.name,
        traffic=traffic,
        expected=expected,
        optimistic=optimistic,
        pessimistic=pessimistic,
        requests_per_month=traffic.requests_per_month,
        min_instances=a.min_instances,
        redundancy=a.redundancy,
        lower_bound=capacity.lower_bound,
        notes=notes,
    )
