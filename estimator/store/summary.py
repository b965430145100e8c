"""What the capacity model consumes: one measured configuration (app × variant × server
config) summarised over its repetitions. Produced by the store from successful runs."""

from __future__ import annotations

from pydantic import Field

from estimator._model import Model
from estimator.host import HostFacts
from estimator.scenario import ServerConfig
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
    cpu_s_per_request: Estimate = Field(description="D: server CPU-seconds per request")
    cpu_s_per_request_at_capacity: Estimate | None = Field(
        None,
        description="D at the capacity-search step that set X_max (per-request CPU falls as "
        "load rises on many machines: idle wake-ups cost CPU at low load)",
    )
    latency_low_ms: Estimate = Field(
        description="S: mean latency with one user (no queueing), else at the lowest steady rate"
    )
    p95_steady_ms: Estimate = Field(description="p95 latency at the lowest steady rate")
    capacity_rps: Estimate = Field(description="X_max: highest rate meeting the SLO")
    capacity_is_lower_bound: bool = Field(
        description="the load generator saturated first: the server can do at least this"
    )
    capacity_stop_reason: str = Field(description="why the capacity search stopped")
    worker_uss_mb: Estimate = Field(description="M_w: private memory per worker, MiB")
    shared_mb: Estimate = Field(description="M_0: PSS total minus workers' USS, MiB")
    workers: int = Field(ge=1)
    slots: int | None = Field(description="C: concurrent request slots; None for async")
    error_rate: float = Field(ge=0, le=1, description="failed/total at the steady rate")
    slo_p95_ms: float
    build_optimized: bool | None = Field(
        None, description="PGO+LTO build of the interpreter (None: unknown)"
    )
    warnings: list[str] = Field(default_factory=list)
    not_ranked_reason: str | None = Field(
        None,
        description="why the configuration must not be ranked (e.g. its warm-up did not "
        "converge); None: rankable",
    )
    arrivals: str | None = Field(
        None, description="the arrival process of the load ('poisson', 'even'); None: unknown"
    )
