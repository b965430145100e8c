"""Fargate and Lambda priced from the measurements, against hand-computed figures.

The measured configuration is tests/capacity/factory's default: D 4 ms, S 5 ms, p95 8 ms at low
load (p95/mean 1.6), 30 MiB per worker + 20 MiB shared, SLO 100 ms."""

from __future__ import annotations

from decimal import Decimal

from estimator.capacity import Assumptions, MeasuredInputs, TrafficProfile, plan_fargate
from estimator.estimate.arith import requests_per_month
from estimator.estimate.context import Context
from estimator.estimate.serverless import fargate_option, price_fargate, price_lambda
from tests.capacity.factory import summary
from tests.estimate.helpers import FARGATE, LAMBDA

ONE_TASK = Assumptions(redundancy=0, min_instances=1)


def ctx(rps: float, a: Assumptions = ONE_TASK, fleet: str = "fixed") -> Context:
    traffic = TrafficProfile.constant(rps)
    return Context(
        traffic=traffic,
        assumptions=a,
        fleet=fleet,  # type: ignore[arg-type]
        requests=requests_per_month(traffic),
    )


def test_fargate_one_vcpu_two_gb_x86_task_all_month() -> None:
    # one task (1 rps, no redundancy) of 1 vCPU: the smallest memory is 2 GB
    c = ctx(1)
    plan = plan_fargate(summary(), c.traffic, ONE_TASK, archs=("x86_64",))
    task = next(x for x in plan.candidates if x.task.vcpu == 1.0)
    assert task.task.memory_gb == 2.0
    option = fargate_option(task, FARGATE["x86_64"], "fixed", c.requests)
    assert option.peak_tasks == 1
    # (0.04048 + 2 × 0.004445) × 730
    assert option.monthly_usd == Decimal("36.0401")
    assert option.monthly_usd_fixed == option.monthly_usd_autoscaled == option.monthly_usd


def test_cheapest_fargate_task_is_the_smallest_arm_size() -> None:
    # (0.25 × 0.03238 + 0.5 × 0.00356) × 730 = 7.20875 for one 0.25 vCPU / 0.5 GB arm64 task
    best, notes = price_fargate(MeasuredInputs.from_summary(summary()), ctx(1), FARGATE)
    assert best is not None
    assert (best.vcpu, best.memory_gb, best.arch) == (0.25, 0.5, "arm64")
    assert best.monthly_usd == Decimal("7.20875")
    assert notes == []


def test_fargate_without_a_price_is_none_with_a_note() -> None:
    best, notes = price_fargate(MeasuredInputs.from_summary(summary()), ctx(1), {})
    assert best is None
    assert notes == ["Fargate: no price for this region (see missing prices)"]


def test_lambda_by_hand() -> None:
    # memory: (20 + 30) MiB × 1.1 → 128 MB minimum; the SLO wants a mean ≤ 100 / 1.6 = 62.5 ms:
    # 1 ms wait + 4 ms ÷ (128 / 1769) = 56.28 ms → billed 57 ms; 100 req/s → 262.8 M requests,
    # 262.8 M × 0.057 s × 0.125 GB = 1,872,450 GB-s; arm64 is cheaper per GB-s
    best, notes = price_lambda(MeasuredInputs.from_summary(summary()), ctx(100), LAMBDA)
    assert best is not None
    assert best.arch == "arm64"
    assert best.memory_mb == 128
    assert best.billed_duration_ms == 57
    assert best.requests_per_month == Decimal(262_800_000)
    assert best.gb_seconds_per_month == Decimal(1_872_450)
    assert best.request_usd == Decimal("52.56")
    assert best.duration_usd == Decimal(1_872_450) * Decimal("0.0000133334")
    assert best.monthly_usd == Decimal("52.56") + Decimal("24.96612483")
    assert best.meets_slo
    assert notes == []


def test_lambda_missing_the_slo_is_left_out_with_the_reason() -> None:
    # p95 at low load 150 ms > 100 ms SLO even at a full vCPU
    slow = MeasuredInputs.from_summary(summary(s_ms=100, p95_ms=150))
    best, notes = price_lambda(slow, ctx(100), LAMBDA)
    assert best is None
    assert len(notes) == 2
    assert notes[0].startswith("Lambda x86_64: predicted p95")
    assert "misses the 100 ms SLO even at a full vCPU" in notes[0]


def test_lambda_over_the_concurrency_limit_is_flagged() -> None:
    a = Assumptions(lambda_concurrency_limit=1)
    best, notes = price_lambda(MeasuredInputs.from_summary(summary()), ctx(1000, a), LAMBDA)
    assert best is not None
    assert best.over_concurrency_limit
    assert any("over the account limit 1" in n for n in notes)
