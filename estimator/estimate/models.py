"""What an estimate produces: per measured configuration the cheapest instance option meeting
the SLO (with runner-ups), Fargate and Lambda priced from the same measurements, the saving vs
a baseline; and the report that carries every input behind the numbers.

Money is `Decimal` at full precision (JSON: strings); reports round to cents for display.

Intervals: every $/month and instance count has `_low`/`_high` ends from the model evaluated
at the ends of the measured inputs' 95% CIs (a step function of capacity: whole instances).
Both None: not known (one measurement). Only `_high` None: no finite upper end (the capacity's
low end is 0). The estimate holds numbers only; `estimator.display` words them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.capacity import AssumptionRow, Assumptions
from estimator.estimate.options import Exact, FargateOption, InstanceOption, LambdaOption
from estimator.estimate.request import EstimateRequest
from estimator.estimate.speeds import HostSpeeds
from estimator.host import HostFacts
from estimator.pricing import MissingPrice
from estimator.stats import Estimate
from estimator.store.summarize import Excluded

SCHEMA_VERSION = 2
"""Bumped when a field of the JSON report changes meaning or is removed."""


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
    known: bool = Field(description="False: an interval is not known (one measurement)")
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


class SettingAlternative(Model):
    """The same configuration measured beside this one with other connection settings
    (`reuse_port`, `keep_alive_s`), which costs less: both figures measured."""

    key: str = Field(description="the other configuration")
    settings: list[str] = Field(
        description="what it sets that this one does not, as server options ('--reuse-port', "
        "'--keep-alive 0', 'no --reuse-port')"
    )
    instance_type: str
    peak_instances: int
    monthly_usd: Exact
    this_instance_type: str
    this_peak_instances: int
    this_monthly_usd: Exact
    distinguishable: bool = Field(
        description="the tie rule tells the two costs apart (different tie groups)"
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
    busy_workers: Estimate | None = Field(
        None,
        description="effective busy workers measured (of `workers`); None: not judged",
    )
    workers_uneven: bool = Field(
        False, description="the measured workers were unevenly used (see the option notes)"
    )
    setting_alternatives: list[SettingAlternative] = Field(
        default_factory=list,
        description="the same configuration measured with other connection settings that "
        "cost less, cheapest first",
    )

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
    intervals. An interval not known (one measurement) overlaps everything."""

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
