"""Fargate by hand. Factory defaults: D = 4 ms, S = 5 ms, X_max = 150 (ρ = 0.75, so u = 0.65),
M_w = 30 MiB, M_0 = 20 MiB; memory headroom 10%."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.capacity import Assumptions, FargatePlan, TrafficProfile, plan_fargate
from estimator.capacity.fargate import FargateCandidate
from tests.capacity.factory import summary

FLAT = TrafficProfile.constant(100)


def pick(plan: FargatePlan, vcpu: float, arch: str) -> FargateCandidate:
    return next(c for c in plan.candidates if c.task.vcpu == vcpu and c.task.arch == arch)


def test_every_size_and_arch_is_a_candidate_with_valid_memory() -> None:
    plan = plan_fargate(summary(), FLAT)
    assert len(plan.candidates) == 14
    assert plan.not_fitting == []
    for c in plan.candidates:
        assert c.capacity.fits
        assert c.capacity.target == c.task


def test_fractional_vcpu_uses_the_quota_curve() -> None:
    plan = plan_fargate(summary(), FLAT)
    quarter_x86 = pick(plan, 0.25, "x86_64")
    # 1 worker, 22 + 33 = 55 MiB → 0.5 GB. V_eff = 0.25 × (1 + 0.25) ÷ 2 = 0.15625 (an x86
    # vCPU is a hyperthread); efficiency at 0.25 CPU = 0.19 ÷ 0.25 = 0.76
    assert quarter_x86.task.memory_gb == 0.5
    assert quarter_x86.capacity.quota_efficiency == pytest.approx(0.76)
    assert quarter_x86.capacity.capacity_rps.value == pytest.approx(
        0.15625 * 0.76 * 0.65 / 0.004
    )  # 19.30
    half_arm = pick(plan, 0.5, "arm64")
    assert half_arm.capacity.capacity_rps.value == pytest.approx(0.5 * 0.84 * 0.65 / 0.004)
    one_arm = pick(plan, 1.0, "arm64")
    # X_cpu = 1 × 0.65 ÷ 4 ms = 162.5; one sync worker: 1 ÷ 5 ms × 0.65 = 130 binds
    assert one_arm.capacity.binding == "concurrency"
    assert one_arm.capacity.capacity_rps.value == pytest.approx(130.0)


def test_memory_is_the_smallest_valid_size_for_the_workers() -> None:
    # M_w 1500 → 1650 MiB, M_0 200 → 220 MiB
    plan = plan_fargate(summary(m_w=1500.0, m_0=200.0), FLAT, archs=("arm64",))
    sizes = {c.task.vcpu: (c.capacity.workers, c.task.memory_gb) for c in plan.candidates}
    assert sizes[0.25] == (1, 2.0)  # 1870 MiB → 2 GB
    assert sizes[0.5] == (1, 2.0)
    assert sizes[1.0] == (1, 2.0)
    assert sizes[2.0] == (2, 4.0)  # 3520 MiB → 4 GB
    assert sizes[4.0] == (4, 8.0)  # 6820 MiB, but 4 vCPU starts at 8 GB
    assert sizes[8.0] == (8, 16.0)  # 13420 MiB, but 8 vCPU starts at 16 GB
    assert sizes[16.0] == (16, 32.0)  # 26620 MiB → 32 GB
    bigger = plan_fargate(summary(m_w=2000.0, m_0=200.0), FLAT, archs=("arm64",))
    assert pick(bigger, 4.0, "arm64").task.memory_gb == 9.0  # 220 + 4 × 2200 = 9020 MiB


def test_workers_capped_by_the_largest_memory_and_misfits_listed() -> None:
    # M_w 3000 → 3300 MiB: 0.25 vCPU tops out at 2 GB (none fit); 1 vCPU at 8 GB (2 fit)
    a = Assumptions(workers_rule="gunicorn")  # wants 3 workers on 1 vCPU
    plan = plan_fargate(summary(m_w=3000.0, m_0=0.0), FLAT, a, archs=("arm64",))
    assert [m.split(":")[0] for m in plan.not_fitting] == ["0.25 vCPU arm64"]
    one = pick(plan, 1.0, "arm64")
    assert (one.capacity.workers_rule, one.capacity.workers) == (3, 2)
    assert one.task.memory_gb == 7.0  # 6600 MiB
    assert one.capacity.workers_fit == 2


def test_usage_hours_for_pricing() -> None:
    plan = plan_fargate(summary(), TrafficProfile.constant(100))
    one = pick(plan, 1.0, "arm64")  # 130 req/s per task: max(1, ceil(0.77)) + 1 = 2 tasks
    assert one.fleet.expected.hourly_instances == [2] * 24
    assert one.vcpu_hours_per_month == Decimal(1460)  # 2 × 730 × 1 vCPU
    assert one.gb_hours_per_month == Decimal(2920)  # × 2 GB
    quarter = pick(plan, 0.25, "x86_64")  # 19.3 req/s: ceil(5.18) + 1 = 7 tasks
    assert quarter.fixed_vcpu_hours_per_month == Decimal("0.25") * 7 * 730
    assert quarter.fixed_gb_hours_per_month == Decimal("0.5") * 7 * 730
    assert FargatePlan.model_validate_json(plan.model_dump_json()) == plan


def test_fargate_speed_override() -> None:
    a = Assumptions(cpu_speed_overrides={"fargate-arm64": 2.0})
    plan = plan_fargate(summary(kind="uvicorn", x_max=200.0), FLAT, a)
    arm = pick(plan, 1.0, "arm64")
    assert arm.capacity.cpu_speed_key == "fargate-arm64"
    assert arm.capacity.capacity_rps.value == pytest.approx(1 * 0.65 / 0.002)  # D 2 ms
    assert pick(plan, 1.0, "x86_64").capacity.cpu_speed_key == "default"
