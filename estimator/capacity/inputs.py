"""The measured inputs the model uses, taken from a store summary and checked once."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from pydantic import Field

from estimator._model import Model
from estimator.capacity.errors import CapacityError
from estimator.host import HostFacts
from estimator.stats import CONFIDENCE, Estimate, at_confidence
from estimator.store.summary import ConfigSummary

LIMIT = 1e-9
"""A CI whose low end is at or below zero says the input may be as small as anything: its end
is evaluated at mean × LIMIT, the model's limit as the input goes to zero."""
UNBOUNDED = 1e6
"""An output that moves by this factor or more at such a limit end has no finite bound there."""


class Interval(Model):
    """A model output with its spread: `value` from the inputs' means; `low`/`high` the least
    and most the model gives over every corner of the inputs' CIs (the model is monotone in
    each input, so its extremes over the box are at corners; a conservative box, not itself a
    joint CI).

    `known` False: an input comes from one measurement, so no spread is known: `low` and
    `high` are None (never the value: one run says nothing about its spread). With `known`,
    `low` is a number (0 when an input's CI reaches zero and the output goes with it) and
    `high` None means no finite upper end (an input's CI reaches zero and the output grows
    without bound)."""

    value: float
    low: float | None
    high: float | None
    known: bool = True

    @classmethod
    def unknown(cls, value: float) -> Interval:
        return cls(value=value, low=None, high=None, known=False)

    def scaled(self, factor: float) -> Interval:
        """Every end times a positive factor (units)."""
        return Interval(
            value=self.value * factor,
            low=None if self.low is None else self.low * factor,
            high=None if self.high is None else self.high * factor,
            known=self.known,
        )


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
    busy_workers: Estimate | None = Field(
        None,
        description="effective busy workers measured per cost window (sampled busy slots ÷ "
        "threads, else 1 ÷ Σ share² of the workers' CPU); None: not judged (every worker "
        "counted busy)",
    )
    workers_uneven: bool = Field(False, description="the measured workers were unevenly used")
    host: HostFacts
    warnings: list[str]
    confidence: float = Field(
        CONFIDENCE,
        description="the confidence of the input CIs (0.95 as measured; wider for "
        "simultaneous intervals, see `at_confidence`)",
    )

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
            busy_workers=s.effective_workers,
            workers_uneven=s.workers_uneven,
            host=s.host,
            warnings=s.warnings,
        )

    @property
    def host_allotment(self) -> float:
        """The CPUs the measured server could use: its quota, else its pinned CPUs."""
        if self.quota_cpus is None:
            return float(self.server_cpus)
        return min(self.quota_cpus, float(self.server_cpus))

    @property
    def repetitions(self) -> int:
        """The fewest repetitions behind any input the model uses."""
        return min(
            e.n
            for e in (
                self.cpu_s_per_request,
                self.latency_low_ms,
                self.capacity_rps,
                self.worker_uss_mb,
                self.shared_mb,
            )
        )

    def at_confidence(self, confidence: float) -> MeasuredInputs:
        """The same inputs with every CI rescaled to `confidence`."""
        busy = self.busy_workers
        return self.model_copy(
            update={
                "busy_workers": None if busy is None else at_confidence(busy, confidence),
                "cpu_s_per_request": at_confidence(self.cpu_s_per_request, confidence),
                "latency_low_ms": at_confidence(self.latency_low_ms, confidence),
                "p95_low_ms": at_confidence(self.p95_low_ms, confidence),
                "capacity_rps": at_confidence(self.capacity_rps, confidence),
                "worker_uss_mb": at_confidence(self.worker_uss_mb, confidence),
                "shared_mb": at_confidence(self.shared_mb, confidence),
                "confidence": confidence,
            }
        )

    def busy_fraction(self, busy_workers: float | None = None) -> float:
        """f: busy workers ÷ workers, in (0, 1]: the measured effective busy workers (or
        `busy_workers`, e.g. an end of their CI) over the measured workers; 1 when not judged.
        An effective count is at least 1 (one worker did everything)."""
        if busy_workers is None:
            if self.busy_workers is None:
                return 1.0
            busy_workers = self.busy_workers.mean
        return min(1.0, max(busy_workers, 1.0) / self.workers)

    def point(self) -> Point:
        return Point(
            d=self.cpu_s_per_request.mean,
            s_ms=self.latency_low_ms.mean,
            x_max=self.capacity_rps.mean,
            m_w=self.worker_uss_mb.mean,
            m_0=max(0.0, self.shared_mb.mean),
            busy=self.busy_fraction(),
        )

    def corners(self) -> Iterator[tuple[Point, bool]]:
        """The inputs at every corner of their CIs, each with whether it uses a limit end: a
        low end at or below zero (a CI too wide to exclude zero, e.g. two noisy repetitions)
        is evaluated at mean × LIMIT, not replaced by the mean."""

        def ends(e: Estimate) -> tuple[tuple[float, bool], tuple[float, bool]]:
            low = (e.ci_low, False) if e.ci_low > 0 else (e.mean * LIMIT, True)
            return low, (max(e.ci_high, e.mean), False)

        m0 = self.shared_mb
        zero = ((max(0.0, m0.ci_low), False), (max(0.0, m0.ci_high, m0.mean), False))
        b = self.busy_workers
        busy = (
            ((self.busy_fraction(b.ci_low), False), (self.busy_fraction(b.ci_high), False))
            if b is not None
            else ((1.0, False),)
        )
        for combo in itertools.product(
            ends(self.cpu_s_per_request),
            ends(self.latency_low_ms),
            ends(self.capacity_rps),
            ends(self.worker_uss_mb),
            zero,
            busy,
        ):
            d, s, x, mw, m0v, f = (v for v, _ in combo)
            point = Point(d=d, s_ms=s, x_max=x, m_w=mw, m_0=m0v, busy=f)
            yield point, any(lim for _, lim in combo)


class Point(Model):
    """One set of input values to evaluate the model at."""

    d: float = Field(gt=0, description="CPU-seconds per request on the measuring host")
    s_ms: float = Field(gt=0, description="service time at low load, ms")
    x_max: float = Field(gt=0, description="measured SLO-limited capacity, req/s")
    m_w: float = Field(gt=0, description="worker memory, MiB")
    m_0: float = Field(ge=0, description="shared memory, MiB")
    busy: float = Field(
        1.0, gt=0, le=1, description="share of the workers busy (measured balance; 1: all)"
    )


def spread(
    inputs: MeasuredInputs, f: Callable[[Point], float], central: float | None = None
) -> Interval:
    """`f` at the means and its least and most over the CI corners; unknown when an input
    has one measurement. An extreme reached at a limit corner (an input → 0) that differs
    from the value by UNBOUNDED or more is unbounded: low 0, high None."""
    value = f(inputs.point()) if central is None else central
    if inputs.repetitions < 2:
        return Interval.unknown(value)
    low, high = value, value
    low_open = high_open = False
    for p, limit in inputs.corners():
        v = f(p)
        if v < low:
            low, low_open = v, limit and v * UNBOUNDED <= value
        if v > high:
            high, high_open = v, limit and v >= value * UNBOUNDED
    return Interval(value=value, low=0.0 if low_open else low, high=None if high_open else high)
