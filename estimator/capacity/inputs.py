"""The measured inputs the model uses, taken from a store summary and checked once."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from pydantic import Field

from estimator._model import Model
from estimator.capacity.errors import CapacityError
from estimator.host import HostFacts
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary


class Interval(Model):
    """A model output with its spread: `value` from the inputs' means; `low`/`high` the least
    and most the model gives over every corner of the inputs' 95% CIs (a conservative box,
    not itself a 95% CI)."""

    value: float
    low: float
    high: float


class MeasuredInputs(Model):
    """The design doc's D, S, X_max, C, M_w, M_0 and q of one measured configuration."""

    key: str
    server_kind: str
    is_async: bool
    cpu_s_per_request: Estimate = Field(description="D, CPU-seconds per request")
    latency_low_ms: Estimate = Field(description="S, mean latency at low load")
    p95_low_ms: Estimate = Field(description="p95 latency at low load")
    capacity_rps: Estimate = Field(description="X_max, highest rate meeting the SLO")
    capacity_is_lower_bound: bool
    workers: int = Field(ge=1)
    slots_per_worker: int | None = Field(description="None: async (no slot limit)")
    server_cpus: int = Field(ge=1)
    quota_cpus: float | None
    worker_uss_mb: Estimate = Field(description="M_w")
    shared_mb: Estimate = Field(description="M_0")
    slo_p95_ms: float
    host: HostFacts
    warnings: list[str]

    @classmethod
    def from_summary(cls, s: ConfigSummary) -> MeasuredInputs:
        for name, est in (
            ("cpu_s_per_request", s.cpu_s_per_request),
            ("latency_low_ms", s.latency_low_ms),
            ("capacity_rps", s.capacity_rps),
            ("worker_uss_mb", s.worker_uss_mb),
        ):
            if not est.mean > 0:
                raise CapacityError(
                    f"config '{s.key}': {name} = {est.mean}: must be > 0 to model capacity; "
                    "re-measure it (a run with no completed requests or no samples?)"
                )
        spw: int | None = None
        if s.slots is not None:
            if s.slots % s.workers:
                raise CapacityError(
                    f"config '{s.key}': slots = {s.slots} is not a multiple of workers = "
                    f"{s.workers}; the store summary is inconsistent, re-summarise it"
                )
            spw = s.slots // s.workers
        return cls(
            key=s.key,
            server_kind=s.server.kind,
            is_async=s.slots is None,
            cpu_s_per_request=s.cpu_s_per_request,
            latency_low_ms=s.latency_low_ms,
            # p95 of the same single-user windows as S: one distribution's p95/mean
            p95_low_ms=s.latency_low_p95_ms or s.p95_steady_ms,
            capacity_rps=s.capacity_rps,
            capacity_is_lower_bound=s.capacity_is_lower_bound,
            workers=s.workers,
            slots_per_worker=spw,
            server_cpus=s.server_cpus,
            quota_cpus=s.quota_cpus,
            worker_uss_mb=s.worker_uss_mb,
            shared_mb=s.shared_mb,
            slo_p95_ms=s.slo_p95_ms,
            host=s.host,
            warnings=s.warnings,
        )

    @property
    def host_allotment(self) -> float:
        """The CPUs the measured server could use: its quota, else its pinned CPUs."""
        if self.quota_cpus is None:
            return float(self.server_cpus)
        return min(self.quota_cpus, float(self.server_cpus))

    def point(self) -> Point:
        return Point(
            d=self.cpu_s_per_request.mean,
            s_ms=self.latency_low_ms.mean,
            x_max=self.capacity_rps.mean,
            m_w=self.worker_uss_mb.mean,
            m_0=max(0.0, self.shared_mb.mean),
        )

    def corners(self) -> Iterator[Point]:
        """The inputs at every corner of their 95% CIs. A low end at or below zero (a CI too
        wide to say anything, e.g. n = 2) is replaced by the mean."""

        def ends(e: Estimate) -> tuple[float, float]:
            return (e.ci_low if e.ci_low > 0 else e.mean), e.ci_high

        m0 = self.shared_mb
        for d, s, x, mw, m0v in itertools.product(
            ends(self.cpu_s_per_request),
            ends(self.latency_low_ms),
            ends(self.capacity_rps),
            ends(self.worker_uss_mb),
            (max(0.0, m0.ci_low), max(0.0, m0.ci_high)),
        ):
            yield Point(d=d, s_ms=s, x_max=x, m_w=mw, m_0=m0v)


class Point(Model):
    """One set of input values to evaluate the model at."""

    d: float = Field(gt=0, description="CPU-seconds per request on the measuring host")
    s_ms: float = Field(gt=0, description="service time at low load, ms")
    x_max: float = Field(gt=0, description="measured SLO-limited capacity, req/s")
    m_w: float = Field(gt=0, description="worker memory, MiB")
    m_0: float = Field(ge=0, description="shared memory, MiB")


def spread(
    inputs: MeasuredInputs, f: Callable[[Point], float], central: float | None = None
) -> Interval:
    """`f` at the means and its least and most over the CI corners."""
    value = f(inputs.point()) if central is None else central
    values = [f(p) for p in inputs.corners()]
    return Interval(value=value, low=min(*values, value), high=max(*values, value))
