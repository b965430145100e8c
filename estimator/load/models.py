"""Typed inputs and results of the load stage.

A run is a sequence of phases on one `LoadGenerator`; each phase is described by a
`PhaseSpec` and produces a `PhaseLoad`: what was offered, what was achieved, the latency
distribution (our own fine histogram, see `estimator.load.histogram`), per-endpoint figures,
failures by reason and a per-second series.

Conventions:
- `requests` counts every request that *completed* inside the phase window
  [started_at, started_at + duration_s], successful or not; `throughput_rps` = requests /
  duration (precisely: the sum over generator processes of requests / the time each actually
  sent load, which is shorter by its `start_lag_s` when it started late).
- Latency percentiles are over *successful* requests only (a connection refused in 50 µs
  must not flatter p95); failures are counted separately with their reasons.
- Latencies are in milliseconds; `latency.relative_error` states their resolution.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from estimator._model import Model

PhaseKind = Literal["warmup", "probe", "steady", "step"]


class PhaseSpec(Model):
    """One phase of load: closed loop (`rate` None: every user fires again as soon as its
    response arrives) or open-ish loop at a fixed total request rate."""

    name: str = Field(
        min_length=1, description="e.g. 'warmup-3', 'service-time', 'steady-50pct', 'step-4'"
    )
    kind: PhaseKind
    duration_s: float = Field(gt=0, le=3600)
    rate: float | None = Field(None, gt=0, description="total requests/second; None: closed loop")
    users: int | None = Field(
        None, ge=1, le=100_000, description="simulated users in total; None: automatic"
    )
    even_tasks: bool = Field(
        False,
        description="every task of the locustfile as likely as any other, whatever its weight "
        "(a check that each one works, not a measurement)",
    )


class HistogramData(Model):
    """A latency histogram on the wire or in storage (see `estimator.load.histogram`)."""

    buckets: list[tuple[int, int]] = Field(description="(bucket index, count), sorted")
    count: int = Field(ge=0)
    total: float = Field(description="sum of the values, ms")
    min: float | None
    max: float | None


class LatencySummary(Model):
    """Percentiles of one latency distribution, ms (nearest-rank; bucket midpoints)."""

    count: int = Field(ge=0)
    mean_ms: float | None
    min_ms: float | None
    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    relative_error: float = Field(
        description="a percentile is within this fraction of the true value (min/max exact)"
    )


class EndpointStats(Model):
    """One locust request name (with its method) over a phase."""

    method: str
    name: str
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    throughput_rps: float = Field(ge=0)
    latency: LatencySummary
    statuses: dict[str, int] = Field(
        default_factory=dict,
        description="requests by HTTP status class ('2xx'…'5xx'; 'none': no answer)",
    )


class FailureCount(Model):
    """How often one endpoint failed for one reason."""

    method: str
    name: str
    reason: str
    count: int = Field(ge=1)


class SecondPoint(Model):
    """One second of a phase (for the run-detail charts)."""

    t: int = Field(ge=0, description="seconds since the phase started")
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    p95_ms: float | None = Field(description="p95 of that second's successful requests")


class PhaseLoad(Model):
    """What one phase offered and achieved, merged over all generator processes."""

    name: str
    kind: PhaseKind
    target_rate: float | None = Field(description="requested total rate; None: closed loop")
    users: int = Field(ge=0)
    generator_processes: int = Field(ge=1)
    started_at: float = Field(description="epoch seconds (time.time) of the window start")
    duration_s: float = Field(gt=0)
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    throughput_rps: float = Field(ge=0)
    latency: LatencySummary = Field(description="successful requests, all endpoints")
    endpoints: list[EndpointStats]
    failure_reasons: list[FailureCount]
    series: list[SecondPoint]
    generator_cpu: list[float] = Field(
        description="each generator process's own CPU use during the window, in CPUs "
        "(getrusage); the sampler measures the same from outside"
    )
    start_lag_s: float = Field(
        ge=0, description="latest start of a generator process after started_at (spawn lag)"
    )
    histogram: HistogramData = Field(
        description="the merged latency histogram (wire form, estimator.load.histogram), "
        "for recomputing any percentile later"
    )

    @model_validator(mode="after")
    def _consistent(self) -> PhaseLoad:
        if self.failures > self.requests:
            raise ValueError(f"failures ({self.failures}) exceed requests ({self.requests})")
        return self

    @property
    def ended_at(self) -> float:
        return self.started_at + self.duration_s

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def achieved_fraction(self) -> float | None:
        """Achieved / target throughput (None for closed loop)."""
        if self.target_rate is None:
            return None
        return self.throughput_rps / self.target_rate

    @property
    def generator_busiest(self) -> float:
        """The busiest generator process's CPU fraction (its own view)."""
        return max(self.generator_cpu, default=0.0)
