"""Lambda by hand. Factory defaults: D = 4 ms, S = 5 ms (1 ms wait), p95 8 ms (p95/mean
1.6), SLO 100 ms, M_w 30 + M_0 20 MiB; memory headroom 10%. The factory host is bare metal
with one thread per core, and these plans are arm64 (a vCPU is a whole core), so one vCPU
runs D in D; x86 (a vCPU is a hyperthread) is in test_vcpu_rule.py."""

from __future__ import annotations

from typing import Any

import pytest

from estimator import capacity
from estimator.capacity import Assumptions, LambdaPlan, TrafficProfile
from tests.capacity.factory import est, summary

TEN = TrafficProfile.constant(10)


def plan_lambda(*args: Any, **kw: Any) -> LambdaPlan:
    kw.setdefault("arch", "arm64")
    return capacity.plan_lambda(*args, **kw)


def test_small_process_gets_the_minimum_memory_when_the_slo_allows() -> None:
    plan = plan_lambda(summary(), TEN)
    # (20 + 30) × 1.1 = 55 MB → 128 MB minimum; share 128 ÷ 1769
    assert (plan.memory_needed_mb, plan.memory_mb, plan.fits) == (128, 128, True)
    assert plan.cpu_share == pytest.approx(128 / 1769)
    # duration = 1 ms + 4 ms × 1769 ÷ 128 = 56.28 ms → billed 57 ms
    assert plan.duration_ms.value == pytest.approx(1 + 4 * 1769 / 128)
    assert plan.billed_duration_ms == 57
    assert plan.gb_seconds_per_request == pytest.approx(0.057 * 128 / 1024)  # 0.007125
    assert plan.requests_per_month == pytest.approx(26_280_000)  # 10/s × 86400 × 730/24
    assert plan.gb_seconds_per_month.value == pytest.approx(26_280_000 * 0.007125)
    assert plan.predicted_p95_ms == pytest.approx(56.28125 * 1.6)  # 90.05 ≤ 100
    assert plan.meets_slo
    assert LambdaPlan.model_validate_json(plan.model_dump_json()) == plan


def test_memory_rises_to_meet_the_slo() -> None:
    plan = plan_lambda(summary(slo_ms=50.0), TEN)
    # mean must be ≤ 50 ÷ 1.6 = 31.25 ms: m ≥ 1769 × 4 ÷ (31.25 − 1) = 233.9 → 234 MB
    assert plan.memory_mb == 234
    assert plan.duration_ms.value == pytest.approx(1 + 4 * 1769 / 234)  # 31.24 ms
    assert plan.billed_duration_ms == 32
    assert plan.gb_seconds_per_request == pytest.approx(0.032 * 234 / 1024)
    assert plan.meets_slo


def test_unreachable_slo_takes_a_full_vcpu_and_says_so() -> None:
    plan = plan_lambda(summary(slo_ms=6.0), TEN)  # mean must be 3.75 ms < 5 ms at 1 vCPU
    assert plan.memory_mb == 1769
    assert plan.duration_ms.value == pytest.approx(5.0)
    assert plan.billed_duration_ms == 5
    assert not plan.meets_slo
    assert "even a full vCPU" in plan.memory_reason


def test_more_than_one_vcpu_does_not_speed_up_one_request() -> None:
    plan = plan_lambda(summary(), TEN, Assumptions(lambda_memory_mb=4096))
    assert plan.cpu_share == 1.0
    assert plan.duration_ms.value == pytest.approx(5.0)
    assert plan.gb_seconds_per_request == pytest.approx(0.005 * 4)


def test_memory_rounds_up_to_whole_mb_with_headroom() -> None:
    plan = plan_lambda(summary(m_w=300.0, m_0=100.4), TEN)
    assert plan.memory_needed_mb == 441  # 400.4 × 1.1 = 440.44
    assert plan.memory_mb == 441


def test_hand_set_memory_too_small_or_process_too_big_does_not_fit() -> None:
    small = plan_lambda(summary(m_w=300.0, m_0=100.4), TEN, Assumptions(lambda_memory_mb=256))
    assert not small.fits
    assert "does not fit" in small.memory_reason
    huge = plan_lambda(summary(m_w=10_000.0), TEN)
    assert not huge.fits
    assert huge.memory_needed_mb == 11_022


def test_duration_spread_and_concurrency() -> None:
    plan = plan_lambda(summary(d_ms=est(4.0, 3.0, 5.0)), TrafficProfile.constant(1000))
    # wait is S − D, so a costlier request has less wait: duration = 5 − D + D × 1769/128
    k = 1769 / 128
    assert plan.duration_ms.low == pytest.approx(5 - 3 + 3 * k)
    assert plan.duration_ms.high == pytest.approx(5 - 5 + 5 * k)
    assert plan.peak_concurrency == 57  # 1000/s × 56.28 ms
    assert not plan.over_concurrency_limit
    busy = plan_lambda(summary(), TrafficProfile.constant(100_000))
    assert busy.peak_concurrency == 5629
    assert busy.over_concurrency_limit


def test_arm64_uses_its_own_speed() -> None:
    a = Assumptions(cpu_speed_overrides={"lambda-arm64": 1.25})
    plan = plan_lambda(summary(), TEN, a, arch="arm64")
    assert (plan.cpu_speed, plan.cpu_speed_key) == (1.25, "lambda-arm64")
    assert plan.duration_ms.value == pytest.approx(1 + 3.2 * 1769 / 128)
    assert any("cold start" in n for n in plan.not_modelled)
