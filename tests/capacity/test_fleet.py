from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.capacity import (
    Assumptions,
    CapacityError,
    FleetPlan,
    HardwareShape,
    TrafficProfile,
    instance_capacity,
    instances_for,
    plan_fleet,
)
from tests.capacity.factory import est, summary

M6I_L = HardwareShape.ec2("m6i.large", 2, 8, "x86_64", "intel")
DAY = [100.0] * 8 + [900.0] * 12 + [300.0] * 4  # night, day, evening


def test_instances_are_ceil_plus_redundancy_with_a_minimum() -> None:
    a = Assumptions()
    assert instances_for(600, 200, a) == 4  # ceil(3) + 1
    assert instances_for(601, 200, a) == 5  # ceil(3.005) + 1
    assert instances_for(0.3, 0.1, a) == 4  # 3.0000000000000004 is 3, not 4
    assert instances_for(0, 200, a) == 2  # min 1 + 1
    b = Assumptions(min_instances=3, redundancy=0)
    assert instances_for(250, 200, b) == 3  # max(3, 2) + 0
    assert instances_for(1000, 200, b) == 5


@pytest.mark.parametrize(("rps", "capacity"), [(10, 0.0), (10, -1.0), (-1, 10)])
def test_instances_reject_impossible_inputs(rps: float, capacity: float) -> None:
    with pytest.raises(CapacityError):
        instances_for(rps, capacity, Assumptions())


def test_hourly_profile_autoscaled_vs_fixed() -> None:
    c = instance_capacity(summary(), M6I_L)  # 203.125 req/s
    plan = plan_fleet(c, TrafficProfile(hourly_rps=DAY))
    # 100 → 1 + 1 = 2; 900 → ceil(4.43) + 1 = 6; 300 → ceil(1.48) + 1 = 3
    assert plan.expected.hourly_instances == [2] * 8 + [6] * 12 + [3] * 4
    assert plan.expected.peak_instances == 6
    # Σ = 16 + 72 + 12 = 100 instance-hours a day × 730 ÷ 24
    assert plan.expected.autoscaled_instance_hours_per_month == Decimal(100) * 730 / 24
    assert plan.expected.fixed_instance_hours_per_month == Decimal(4380)  # 6 × 730
    # (800 + 10800 + 1200) req/s-hours × 3600 × 730 / 24
    assert plan.requests_per_month == pytest.approx(1_401_600_000)
    assert plan.target == "m6i.large"
    assert plan.lower_bound is False
    assert FleetPlan.model_validate_json(plan.model_dump_json()) == plan


def test_flat_traffic_autoscaled_equals_fixed() -> None:
    c = instance_capacity(summary(), M6I_L)
    plan = plan_fleet(c, TrafficProfile.constant(1000))
    assert plan.expected.peak_instances == 6  # ceil(4.92) + 1
    assert (
        plan.expected.autoscaled_instance_hours_per_month
        == plan.expected.fixed_instance_hours_per_month
        == Decimal(4380)
    )


def test_pessimistic_counts_use_the_low_end_of_capacity() -> None:
    c = instance_capacity(summary(d_ms=est(4.0, 3.8, 4.2)), M6I_L)  # low 193.45 req/s
    plan = plan_fleet(c, TrafficProfile.constant(1000))
    assert plan.pessimistic is not None
    assert (plan.expected.peak_instances, plan.pessimistic.peak_instances) == (6, 7)
    assert any("low end" in n for n in plan.notes)


def test_counts_at_both_ends_of_the_capacity_spread() -> None:
    c = instance_capacity(summary(d_ms=est(4.0, 3.8, 4.2)), M6I_L)  # 193.45-213.82 req/s
    plan = plan_fleet(c, TrafficProfile.constant(1250))
    assert plan.optimistic is not None
    assert plan.pessimistic is not None
    # ceil(1250 / 213.82) + 1 = 7; ceil(1250 / 203.125) + 1 = 8; ceil(1250 / 193.45) + 1 = 8
    counts = (plan.optimistic.peak_instances, plan.expected.peak_instances)
    assert (*counts, plan.pessimistic.peak_instances) == (7, 8, 8)


def test_one_repetition_has_no_counts_at_the_ends() -> None:
    plan = plan_fleet(instance_capacity(summary(), M6I_L), TrafficProfile.constant(1000))
    assert (plan.optimistic, plan.pessimistic) == (None, None)
    assert any("not known (one measurement)" in n for n in plan.notes)


def test_no_upper_end_of_capacity_gives_the_floor_count() -> None:
    c = instance_capacity(summary(x_max=est(100.0, 95.0, 105.0), lower_bound=True), M6I_L)
    plan = plan_fleet(c, TrafficProfile.constant(1000))
    assert plan.optimistic is not None
    assert plan.optimistic.capacity_rps is None
    assert plan.optimistic.peak_instances == 2  # min_instances 1 + redundancy 1


def test_lower_bound_is_carried_to_the_fleet() -> None:
    c = instance_capacity(summary(x_max=100.0, lower_bound=True), M6I_L)
    assert plan_fleet(c, TrafficProfile.constant(100)).lower_bound is True


def test_a_target_that_does_not_fit_cannot_be_planned() -> None:
    c = instance_capacity(summary(m_w=9000.0), M6I_L)
    with pytest.raises(CapacityError, match=r"does not fit on m6i\.large"):
        plan_fleet(c, TrafficProfile.constant(100))
