"""What the capacity model consumes: one measured configuration (app × variant × server
config) summarised over its windows. Produced by the store from successful runs.

Every `Estimate` is a mean with its 95% CI over the configuration's windows (n = windows; with
several repetitions, the windows of all of them). n = 1 means the interval is *unknown*:
ci_low = ci_high = mean is then a placeholder, never a zero width; read `n`."""

from __future__ import annotations

from pydantic import Field

from estimator._model import Model
from estimator.host import HostFacts
from estimator.measure import MeasureStop
from estimator.scenario import Arrivals, ServerConfig
from estimator.stats import Estimate


class ConfigSummary(Model):
    """The design doc's measured inputs (D, S, X_max, C, M_w, M_0, q) for one configuration."""

    key: str = Field(description="'app | variant | server label', unique in a store")
    app: str
    variant: str
    server: ServerConfig
    run_ids: list[str] = Field(min_length=1)
    host: HostFacts
    server_cpus: int = Field(ge=1, description="CPUs the server was pinned to")
    quota_cpus: float | None = Field(None, description="cgroup quota applied, in CPUs")
    cpu_s_per_request: Estimate = Field(
        description="D: server CPU-seconds per successful request, over the closed-loop cost "
        "windows (nanosecond CPU counters of the whole server tree); n = cost windows"
    )
    cpu_s_per_request_at_capacity: Estimate | None = Field(
        None,
        description="D at the capacity-search step that set X_max (per-request CPU falls as "
        "load rises on many machines: idle wake-ups cost CPU at low load)",
    )
    cpu_s_per_request_steady: Estimate | None = Field(
        None,
        description="CPU-seconds per successful request at the lowest steady rate (open loop, "
        "about half the closed-loop throughput): higher than D at saturation on many machines "
        "(a worker that is not kept busy pays its wake-ups per request)",
    )
    latency_low_ms: Estimate = Field(
        description="S: mean latency with one user (no queueing), else at the lowest steady "
        "rate; n = those windows"
    )
    latency_low_p95_ms: Estimate | None = Field(
        None,
        description="p95 of the same windows as latency_low_ms: latency_low_p95_ms ÷ "
        "latency_low_ms is one distribution's p95/mean (None: not measured)",
    )
    p95_steady_ms: Estimate = Field(description="p95 latency at the lowest steady rate")
    capacity_rps: Estimate = Field(
        description="X_max: highest achieved rate meeting the SLO (mean over repetitions); "
        "ci_low..ci_high: the range the capacity search left open (up to the achieved rate of "
        "the first step that failed, or the closed-loop throughput); n = the open-loop windows "
        "the search judged (its steps and the steady windows)"
    )
    capacity_is_lower_bound: bool = Field(
        description="the load generator saturated first: the server can do at least this"
    )
    capacity_stop_reason: str = Field(description="why the capacity search stopped")
    worker_uss_mb: Estimate = Field(description="M_w: private memory per worker, MiB")
    shared_mb: Estimate = Field(description="M_0: PSS total minus workers' USS, MiB")
    workers: int = Field(ge=1)
    slots: int | None = Field(description="C: concurrent request slots; None for async")
    error_rate: float = Field(
        ge=0, le=1, description="failed/total requests in the cost windows (D counts successes)"
    )
    slo_p95_ms: float
    build_optimized: bool | None = Field(
        None, description="PGO+LTO build of the interpreter (None: unknown)"
    )
    warnings: list[str] = Field(default_factory=list)
    scenario_hash: str | None = Field(None, description="the scenario version measured")
    batch_ids: list[str] = Field(
        default_factory=list, description="the batches (configurations measured side by side)"
    )
    rounds: int = Field(0, ge=0, description="rounds it took part in, over its runs")
    arrivals: Arrivals | None = Field(
        None,
        description="the arrival process of its open-loop windows ('poisson', 'even'); None: "
        "unknown",
    )
    closed_loop_rps: Estimate | None = Field(
        None, description="throughput in the cost windows (closed loop, every slot busy)"
    )
    stop_reason: MeasureStop | None = Field(
        None,
        description="why its cost windows ended: 'target' (CI reached cost_ci_target), "
        "'budget' or 'max_rounds' (it did not), 'not_warmed_up'",
    )
    cost_ci_target: float | None = Field(None, description="relative CI half-width aimed for")
    cost_target_met: bool | None = Field(
        None, description="the CPU-per-request CI half-width is within cost_ci_target"
    )
    warmed_up: bool = True
    effective_workers: Estimate | None = Field(
        None,
        description="effective busy workers (`measure.balance.busy_workers`: sampled busy "
        "slots ÷ threads, else 1 ÷ Σ share² of the workers' CPU) per cost window: W when all "
        "W share the work evenly; None: not judged (recorded before it was)",
    )
    busiest_worker_share: Estimate | None = Field(
        None, description="the busiest worker's share of the workers' CPU per cost window"
    )
    workers_uneven: bool = Field(
        False, description="effective busy workers below the threshold (measure.balance)"
    )
    keep_alive: bool = Field(
        True, description="the load kept its connections alive (False: one per request)"
    )
    not_ranked_reason: str | None = Field(
        None,
        description="why the configuration must not be ranked (e.g. its warm-up did not "
        "converge); None: rankable",
    )

    @property
    def ranked(self) -> bool:
        return self.not_ranked_reason is None
