"""The options an estimate prices for one configuration: EC2 instances, a Fargate task,
Lambda; and the exact money type they carry (`Exact`: a Decimal, JSON an exact string)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from estimator._model import Model
from estimator.capacity import Arch, Interval
from estimator.capacity.limits import LimitName


def money_text(value: Decimal) -> str:
    """Exact, positional (no exponent) and without trailing zeros: '49.3115', '730'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


Exact = Annotated[Decimal, PlainSerializer(money_text, return_type=str, when_used="json")]
"""A Decimal amount (dollars, or a usage such as instance-hours); JSON: an exact string."""


class InstanceOption(Model):
    """One EC2 instance type serving one configuration: how many, and what it costs."""

    instance_type: str
    family: str
    vcpu: int
    memory_gib: Exact
    arch: Arch
    cpu_vendor: str
    burstable: bool
    usd_per_hour: Exact
    list_usd_per_hour: Exact | None = Field(description="before a discount or custom price")
    capacity_rps: Interval = Field(description="req/s per instance; spread over the inputs' CIs")
    binding: LimitName
    workers: int = Field(description="workers per instance")
    utilization: float = Field(description="planned utilisation of the binding limit")
    lower_bound: bool = Field(description="measured capacity is a lower bound: cost ≤ this")
    peak_instances: int = Field(description="fixed fleet: instances all month")
    hourly_instances: list[int] = Field(description="autoscaled: instances in each hour")
    peak_instances_low: int | None = Field(
        description="peak count at the high end of the capacity spread; None: not known"
    )
    peak_instances_high: int | None = Field(
        description="peak count at the low end of the capacity spread; None: not known or "
        "no finite count"
    )
    instance_hours_autoscaled: Exact
    instance_hours_fixed: Exact
    monthly_usd_autoscaled: Exact
    monthly_usd_fixed: Exact
    monthly_usd: Exact = Field(description="the ranked fleet mode's cost")
    monthly_usd_low: Exact | None = Field(
        description="the ranked mode's cost at the high end of the capacity spread (no upper "
        "end: the floor of min_instances + redundancy); None: not known (one measurement)"
    )
    monthly_usd_high: Exact | None = Field(
        description="the ranked mode's cost at the low end of the capacity spread; None: not "
        "known (one measurement) or no finite upper end"
    )
    usd_per_million_requests: Exact
    peak_utilization: float = Field(
        description="binding-limit utilisation at the peak hour with the peak count"
    )
    headroom_rps: float = Field(description="peak count × capacity − peak req/s")
    predicted_p95_ms: float = Field(description="at low load on the target")
    notes: list[str] = Field(description="how each figure was computed")


class FargateOption(Model):
    """The cheapest Fargate task size for one configuration."""

    vcpu: float
    memory_gb: float
    arch: Arch
    usd_per_vcpu_hour: Exact
    usd_per_gb_hour: Exact
    capacity_rps: Interval
    binding: LimitName
    workers: int
    lower_bound: bool
    peak_tasks: int
    hourly_tasks: list[int]
    vcpu_hours: Exact = Field(description="a month, in the ranked fleet mode")
    gb_hours: Exact = Field(description="a month, in the ranked fleet mode")
    monthly_usd_autoscaled: Exact
    monthly_usd_fixed: Exact
    monthly_usd: Exact
    monthly_usd_low: Exact | None = Field(description="as for instances")
    monthly_usd_high: Exact | None = Field(description="as for instances")
    usd_per_million_requests: Exact
    notes: list[str]

    @property
    def name(self) -> str:
        return f"{self.vcpu:g} vCPU / {self.memory_gb:g} GB {self.arch}"


class LambdaOption(Model):
    """One configuration on AWS Lambda: memory, billed duration, requests and GB-seconds."""

    arch: Arch
    memory_mb: int
    memory_reason: str
    billed_duration_ms: int
    requests_per_month: Exact
    gb_seconds_per_month: Exact
    usd_per_million_requests_price: Exact = Field(description="the request price")
    usd_per_gb_second: Exact
    request_usd: Exact
    duration_usd: Exact
    monthly_usd: Exact
    monthly_usd_low: Exact | None = Field(
        description="at the shortest duration of the spread; None: not known"
    )
    monthly_usd_high: Exact | None = Field(
        description="at the longest duration of the spread; None: not known"
    )
    usd_per_million_requests: Exact = Field(description="cost per million requests served")
    predicted_p95_ms: float
    fits: bool = Field(description="the process fits in Lambda's largest memory")
    meets_slo: bool
    peak_concurrency: int
    over_concurrency_limit: bool
    notes: list[str]
    not_modelled: list[str]

    @property
    def name(self) -> str:
        return f"{self.memory_mb} MB {self.arch}"
