"""The money arithmetic of an estimate, in Decimal: usage (instance-hours, vCPU-/GB-hours,
requests, GB-seconds) × the catalog's prices. Nothing here rounds; reports round to cents."""

from __future__ import annotations

from decimal import Decimal

from estimator.capacity import TrafficProfile
from estimator.capacity.traffic import HOURS
from estimator.money import HOURS_PER_MONTH
from estimator.pricing import FargatePrice, LambdaPrice

MILLION = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)


def exact(value: float) -> Decimal:
    """A float (a rate, a GB-second count) as the Decimal of its shortest repr."""
    return Decimal(repr(value))


def requests_per_month(traffic: TrafficProfile) -> Decimal:
    """Σ hourly req/s × 3600 s × 730 ÷ 24 days: the month of the flat prices."""
    per_day = sum((exact(r) for r in traffic.hourly_rps), Decimal(0)) * SECONDS_PER_HOUR
    return per_day * HOURS_PER_MONTH / HOURS


def instance_cost(instance_hours: Decimal, usd_per_hour: Decimal) -> Decimal:
    return instance_hours * usd_per_hour


def fargate_cost(vcpu_hours: Decimal, gb_hours: Decimal, price: FargatePrice) -> Decimal:
    """vCPU-hours × $/vCPU-hour + GB-hours × $/GB-hour (ephemeral storage within the free
    20 GB: not charged)."""
    return vcpu_hours * price.usd_per_vcpu_hour + gb_hours * price.usd_per_gb_hour


def lambda_gb_seconds(requests: Decimal, billed_ms: int, memory_mb: int) -> Decimal:
    """requests × billed seconds × memory in GB (MB ÷ 1024, as AWS bills)."""
    return requests * Decimal(billed_ms) / 1000 * Decimal(memory_mb) / 1024


def lambda_cost(requests: Decimal, gb_seconds: Decimal, price: LambdaPrice) -> Decimal:
    """Request charge + duration charge (first volume tier, no free tier)."""
    return (
        requests * price.usd_per_million_requests / MILLION + gb_seconds * price.usd_per_gb_second
    )


def per_million(monthly_usd: Decimal, requests: Decimal) -> Decimal:
    """$ per million requests served."""
    return monthly_usd * MILLION / requests


def saving_pct(saving: Decimal, baseline: Decimal) -> Decimal:
    return saving * 100 / baseline if baseline else Decimal(0)
