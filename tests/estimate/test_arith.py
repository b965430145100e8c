"""The money arithmetic, against figures computed by hand."""

from __future__ import annotations

from decimal import Decimal

from estimator.capacity import TrafficProfile
from estimator.estimate.arith import (
    fargate_cost,
    instance_cost,
    lambda_cost,
    lambda_gb_seconds,
    per_million,
    requests_per_month,
    saving_pct,
)
from estimator.money import HOURS_PER_MONTH
from tests.estimate.helpers import FARGATE, LAMBDA


def test_fargate_one_vcpu_two_gb_x86_us_east_1_for_a_month() -> None:
    # (0.04048 + 2 × 0.004445) × 730 = 0.04937 × 730 = 36.0401
    # (the task brief says 36.0448: an arithmetic slip; 0.04937 × 730 is 36.0401)
    hours = HOURS_PER_MONTH
    assert fargate_cost(hours * 1, hours * 2, FARGATE["x86_64"]) == Decimal("36.0401")


def test_fargate_arm_quarter_vcpu_half_gb() -> None:
    # (0.25 × 0.03238 + 0.5 × 0.00356) × 730 = 0.009875 × 730 = 7.20875
    cost = fargate_cost(Decimal("182.5"), Decimal("365"), FARGATE["arm64"])
    assert cost == Decimal("7.20875")


def test_requests_per_month_of_a_flat_profile() -> None:
    # 100 req/s × 3600 s × 730 h = 262,800,000
    assert requests_per_month(TrafficProfile.constant(100)) == Decimal(262_800_000)


def test_requests_per_month_keeps_fractional_rates_exact() -> None:
    traffic = TrafficProfile(hourly_rps=[0.1] * 12 + [0.2] * 12)
    # (1.2 + 2.4) × 3600 × 730 / 24 = 3.6 × 109,500 = 394,200
    assert requests_per_month(traffic) == Decimal(394_200)


def test_lambda_cost_is_requests_plus_gb_seconds() -> None:
    requests = Decimal(262_800_000)
    gbs = lambda_gb_seconds(requests, 57, 128)
    # 262.8 M × 0.057 s × 0.125 GB = 1,872,450 GB-s
    assert gbs == Decimal(1_872_450)
    # 262.8 × $0.20 + 1,872,450 × $0.0000166667
    assert lambda_cost(requests, gbs, LAMBDA["x86_64"]) == Decimal("52.56") + Decimal(
        "31.207562415"
    )


def test_instance_cost_and_per_million() -> None:
    monthly = instance_cost(Decimal(6) * HOURS_PER_MONTH, Decimal("0.096"))
    assert monthly == Decimal("420.480")
    assert per_million(monthly, Decimal(2_628_000_000)) == Decimal("0.16")


def test_saving_pct_of_the_baseline() -> None:
    assert saving_pct(Decimal(25), Decimal(200)) == Decimal("12.5")
    assert saving_pct(Decimal(-50), Decimal(200)) == Decimal(-25)
