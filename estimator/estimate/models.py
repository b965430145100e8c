"""What an estimate produces: per measured configuration the cheapest instance option meeting
the SLO (with runner-ups), Fargate and Lambda priced from the same measurements, the saving vs
a baseline; and the report that carries every input behind the numbers.

Money is `Decimal` at full precision (JSON: strings); reports round to cents for display.

Intervals: every $/month and instance count has `_low`/`_high` ends from the model evaluated
at the ends of the measured inputs' 95% CIs (a step function of capacity: whole instances).
Both None: not known (one repetition). Only `_high` None: no finite upper end (the capacity's
low end is 0). The estimate holds numbers only; `estimator.display` words them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer

from estimator._model import Model
from estimator.capacity import Arch, AssumptionRow, Assumptions, Interval
from estimator.capacity.limits import LimitName
from estimator.estimate.request import EstimateRequest
from estimator.estimate.speeds import HostSpeeds
from estimator.host import HostFacts
from estimator.pricing import MissingPrice
from estimator.stats import Estimate
from estimator.store.summarize import Excluded

SCHEMA_VERSION = 2
"""Bumped when a field of the JSON report changes meaning or is removed."""


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
        "end: the floor of min_instances + redundancy); None: not known (one repetition)"
    )
    monthly_usd_high: Exact | None = Field(
        description="the ranked mode's cost at the low end of the capacity spread; None: not "
        "known (one repetition) or no finite upper end"
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


class Saving(Model):
    """Monthly saving vs the baseline configuration (negative: costs more), with its
    interval: baseline's low end − this one's high end to baseline's high − this one's low."""

    baseline_key: str
    baseline_usd: Exact
    usd: Exact = Field(description="baseline − this configuration, per month, at the means")
    usd_low: Exact | None = Field(description="None: not known, or no finite lower end")
    usd_high: Exact | None = Field(description="None: not known, or no finite upper end")
    pct: Exact = Field(description="usd, % of the baseline's monthly cost")
    pct_low: Exact | None = Field(description="usd_low, % of the baseline's monthly cost")
    pct_high: Exact | None = Field(description="usd_high, % of the baseline's monthly cost")
    known: bool = Field(description="False: an interval is not known (one repetition)")
    distinguishable: bool = Field(
        description="the tie rule tells this configuration's cost from the baseline's (they "
        "are in different tie groups)"
    )
    baseline_lower_bound: bool = Field(
        description="the baseline's capacity is a lower bound: its cost, so the saving, is at "
        "most this"
    )
    lower_bound: bool = Field(
        description="this configuration's capacity is a lower bound: its cost is at most "
        "its figure, so the saving is at least its low end"
    )


class ConfigEstimate(Model):
    """One measured configuration (app × variant × server config) priced."""

    key: str
    app: str
    variant: str
    server: str
    rank: int | None = Field(description="within its app, 1 = cheapest; None: not priced")
    run_ids: list[str]
    repetitions: int
    slo_p95_ms: float
    measured_capacity_rps: Estimate = Field(description="on the measuring host")
    measured_lower_bound: bool
    cpu_ms_per_request: Estimate = Field(description="D in ms: mean, 95% CI and n")
    latency_low_ms: float
    worker_uss_mib: float
    workers: int
    slots: int | None
    options: list[InstanceOption] = Field(description="the cheapest first, then runner-ups")
    considered: int = Field(description="instance types priced for it")
    skipped: list[str] = Field(description="types left out, grouped by reason")
    fargate: FargateOption | None
    aws_lambda: LambdaOption | None
    serverless_notes: list[str]
    baseline_key: str | None
    baseline_reason: str | None
    saving: Saving | None
    tie_group: int | None = Field(
        description="configurations of one app with the same value are not distinguishable by "
        "cost (1: the cheapest group); None: not ranked or not priced"
    )
    not_ranked_reason: str | None = Field(
        None, description="why it is shown but not ranked (e.g. not warmed up)"
    )
    arrivals: str | None = Field(None, description="arrival process of its load, if recorded")
    slo_utilization: float | None = Field(
        None, description="measured ρ_SLO; above 1 the measurements contradict each other"
    )
    unpriced_reason: str | None
    warnings: list[str]

    @property
    def best(self) -> InstanceOption | None:
        return self.options[0] if self.options else None

    @property
    def monthly_usd(self) -> Decimal | None:
        return self.options[0].monthly_usd if self.options else None

    @property
    def is_baseline(self) -> bool:
        return self.baseline_key == self.key


class TieMember(Model):
    key: str
    monthly_usd: Exact
    monthly_usd_low: Exact | None = Field(description="at the simultaneous confidence")
    monthly_usd_high: Exact | None = Field(description="at the simultaneous confidence")


class TieGroup(Model):
    """Configurations of one app whose costs the tie rule cannot tell apart."""

    group: int = Field(description="1: the cheapest group")
    members: list[TieMember] = Field(description="cheapest first (at the means)")


class AppTies(Model):
    """One app's tie groups. Rule: each ranked configuration's $/month interval is evaluated
    at its inputs' CIs widened to `confidence` = 1 − (1 − family_confidence) ÷ k (Bonferroni
    over the app's k configurations: if every interval holds its true cost, which happens
    with probability ≥ family_confidence, no two configurations of equal cost are told
    apart); configurations whose intervals overlap, directly or through others, form one
    group (connected components), so configurations in different groups have disjoint
    intervals. An interval not known (one repetition) overlaps everything."""

    app: str
    configurations: int = Field(description="k: the app's ranked, priced configurations")
    family_confidence: float
    confidence: float = Field(description="of each configuration's interval")
    groups: list[TieGroup]


class TrafficSummary(Model):
    source: str
    profile: str | None
    peak_rps: float
    mean_rps: float
    requests_per_month: Exact


class PricingInfo(Model):
    """Where the prices come from, as of when, and what changed them."""

    currency: str
    hours_per_month: Exact
    snapshot_date: date
    source: str
    sources: list[str] = Field(description="the region's price sources with their dates")
    notes: list[str] = Field(description="overrides applied (discount, custom prices)")
    caveats: list[str]


Direction = Literal["below", "above"]


class BreakEven(Model):
    """Where the app's recommendation flips as one CPU's speed moves."""

    family: str = Field(description="the family whose speed moves (with its CPU's others)")
    cpu_speed: float | None = Field(
        description="the flip speed relative to a measuring-host core; None: no flip in range"
    )
    runner_up_key: str | None = Field(description="the configuration cheapest past the flip")
    runner_up_instance_type: str | None
    direction: Direction = Field(
        description="'below': the recommendation loses below cpu_speed; 'above': this "
        "family's option wins above it"
    )
    current_cpu_speed: float
    cpu_key: str | None = Field(description="the CPU moved (every family on it)")
    families: list[str] = Field(description="the priced families on that CPU")
    searched: tuple[float, float] = Field(description="the speed range searched")


class Headline(Model):
    """Per app: the cheapest configuration and its saving vs the baseline."""

    app: str
    key: str
    instance_type: str
    peak_instances: int
    monthly_usd: Exact
    usd_per_million_requests: Exact
    lower_bound: bool
    monthly_usd_low: Exact | None
    monthly_usd_high: Exact | None
    peak_instances_low: int | None
    peak_instances_high: int | None
    tie_group: int | None
    tied_with: list[str] = Field(description="the other configurations of its tie group")
    saving: Saving | None
    break_even: list[BreakEven] = Field(
        default_factory=list,
        description="CPU speeds (relative to the measuring host's core) at which the "
        "recommendation changes (docs/model.md, 'Break-even speed')",
    )


class EstimateReport(Model):
    """Everything an estimate found and everything it rests on."""

    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    estimator_version: str
    request: EstimateRequest
    traffic: TrafficSummary
    pricing: PricingInfo
    assumptions: Assumptions
    assumption_rows: list[AssumptionRow]
    hosts: list[HostFacts] = Field(description="the machines that measured")
    cpu_speeds: list[HostSpeeds] = Field(
        default_factory=list,
        description="per measuring host: its vCPU rule and every priced target's CPU speed "
        "with its source (set by hand, calibrated, published proxy, assumed)",
    )
    results: str | None = Field(description="the results store the measurements came from")
    scenarios: list[str]
    configurations: list[ConfigEstimate] = Field(description="by app, then rank")
    ties: list[AppTies] = Field(description="per app: the tie groups and the rule's numbers")
    arrivals: list[str] = Field(
        description="arrival processes of the measurements used ('poisson', 'even'); empty: "
        "not recorded"
    )
    headlines: list[Headline]
    excluded: list[Excluded]
    missing_prices: list[MissingPrice]
    warnings: list[str]
    notes: list[str] = Field(description="how the figures are computed")

    def config(self, key: str) -> ConfigEstimate | None:
        return next((c for c in self.configurations if c.key == key), None)
