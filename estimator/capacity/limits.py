"""The core arithmetic: one configuration on one target, at one set of input values.

Symbols follow the design doc: D (CPU-s/request), S (service time), X_max (SLO-limited
measured rate), W (workers), C (slots), M_w / M_0 (worker / shared memory), u (utilisation),
f (the share of the workers busy: the measured effective busy workers ÷ the measured workers,
`estimator.measure.balance`; 1 when every worker took its part). The concurrency limit counts
W × f workers busy, on the measuring host and, carried over as measured, at any other worker
count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from estimator.capacity.assumptions import Assumptions
from estimator.capacity.errors import CapacityError
from estimator.capacity.inputs import MeasuredInputs, Point

LimitName = Literal["cpu", "concurrency", "memory"]
UtilSource = Literal["target", "slo"]

_EXACT = 1e-9  # tolerance for floors and ceilings of values that are whole up to rounding


@dataclass(frozen=True)
class Target:
    """A place the configuration runs: an instance, a Fargate task, or the measuring host."""

    vcpus: float
    """vCPUs the workers rule counts."""
    cores: float
    """V_eff: full-core equivalents (hyperthreads count smt_yield)."""
    quota_efficiency: float
    """throughput share of a fractional CPU quota (1.0 for whole machines)."""
    memory_mib: float
    """memory the app may use (after the OS reserve)."""
    speed: float
    """target core speed ÷ measuring core speed."""
    cpu_cap: float | None = None
    """a burstable type's sustained CPU per vCPU."""


@dataclass(frozen=True)
class Evaluation:
    workers_rule: int
    workers_fit: int
    d_target: float
    s_target: float
    per_worker: float
    slo_utilization: float
    utilization: float
    utilization_source: UtilSource
    cpu_utilization: float
    x_cpu: float
    x_conc: float
    x_mem: float | None
    memory_per_worker_mib: float
    memory_shared_mib: float

    @property
    def workers(self) -> int:
        return min(self.workers_rule, self.workers_fit)

    @property
    def fits(self) -> bool:
        return self.workers_fit >= 1

    @property
    def capacity(self) -> float:
        if not self.fits:
            return 0.0
        return min(x for x in (self.x_cpu, self.x_conc, self.x_mem) if x is not None)

    @property
    def binding(self) -> LimitName:
        if not self.fits:
            return "memory"
        cap = self.capacity
        if self.x_cpu <= cap:
            return "cpu"
        if self.x_conc <= cap:
            return "concurrency"
        return "memory"


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5 + _EXACT)


def workers_by_rule(inputs: MeasuredInputs, vcpus: float, a: Assumptions) -> int:
    if a.workers_rule == "fixed":
        if a.workers_fixed is None:  # Assumptions rejects this; kept for direct construction
            raise CapacityError("workers_rule = 'fixed' needs workers_fixed, e.g. workers_fixed=4")
        return a.workers_fixed
    if a.workers_rule == "gunicorn":
        return max(1, round_half_up(2 * vcpus + 1))
    return max(1, round_half_up(inputs.workers / inputs.server_cpus * vcpus))


def per_worker_rate(inputs: MeasuredInputs, d: float, s: float, cpu_max: float) -> float:
    """Requests/s one worker can sustain at full occupancy: its slots ÷ S (Little's law),
    never more than the CPU one process can use ÷ D. Async workers have no slot limit."""
    cpu_bound = cpu_max / d
    if inputs.slots_per_worker is None:
        return cpu_bound
    return min(inputs.slots_per_worker / s, cpu_bound)


def host_limits(inputs: MeasuredInputs, p: Point, a: Assumptions) -> tuple[float, float]:
    """(CPU, workers): the rates at which the measuring host's CPU allotment (times the quota
    curve's efficiency under a quota) and its busy workers would saturate."""
    eff = a.quota_curve.efficiency(inputs.host_allotment) if inputs.quota_cpus else 1.0
    per_worker = per_worker_rate(inputs, p.d, p.s_ms / 1000, a.worker_cpu_max)
    return inputs.host_allotment * eff / p.d, inputs.workers * p.busy * per_worker


def host_saturation(inputs: MeasuredInputs, p: Point, a: Assumptions) -> float:
    """The rate at which the measured config would saturate the measuring host: its CPU
    allotment or its workers (`host_limits`), whichever binds first."""
    return min(host_limits(inputs, p, a))


def slo_utilization(inputs: MeasuredInputs, p: Point, a: Assumptions) -> float:
    """ρ_SLO = X_max ÷ host saturation: how busy the host's bottleneck was when the p95 SLO
    was reached. Not capped: above 1 the measurements contradict each other (the host served
    more than its D and S allow, so D or S overstate what a request costs), which
    `contradiction()` says and the plan reports; the planned utilisation min(target, ρ) is
    then the target's."""
    return p.x_max / host_saturation(inputs, p, a)


def contradiction(inputs: MeasuredInputs, p: Point, a: Assumptions) -> str | None:
    """Why ρ_SLO above 1 is impossible, with the numbers; None when ρ_SLO ≤ 1."""
    x_sat = host_saturation(inputs, p, a)
    if p.x_max <= x_sat:
        return None
    return (
        f"measured capacity X_max {p.x_max:,.1f} req/s is above the {x_sat:,.1f} req/s its own "
        f"D ({p.d * 1000:.4g} ms) and S ({p.s_ms:.4g} ms) allow on the measuring host "
        f"(ρ_SLO = {p.x_max / x_sat:.3g} > 1): the measurements contradict each other (D or S "
        "overstate a request's cost, e.g. D measured at low load); re-measure"
    )


def evaluate(inputs: MeasuredInputs, target: Target, a: Assumptions, p: Point) -> Evaluation:
    h = a.host_core_share(inputs.host)
    d_t = p.d * h / target.speed
    wait = max(0.0, p.s_ms / 1000 - p.d)
    s_t = wait + d_t
    per_worker = per_worker_rate(inputs, d_t, s_t, a.worker_cpu_max)

    w_rule = workers_by_rule(inputs, target.vcpus, a)
    m_w = p.m_w * (1 + a.memory_headroom)
    m_0 = p.m_0 * (1 + a.memory_headroom)
    free = target.memory_mib - m_0
    w_fit = math.floor(free / m_w + _EXACT) if free > 0 else 0

    rho = slo_utilization(inputs, p, a)
    u, source = a.target_utilization, "target"
    if a.slo_caps_utilization and rho < u:
        u, source = rho, "slo"
    u_cpu = u if target.cpu_cap is None else min(u, target.cpu_cap)

    return Evaluation(
        workers_rule=w_rule,
        workers_fit=w_fit,
        d_target=d_t,
        s_target=s_t,
        per_worker=per_worker,
        slo_utilization=rho,
        utilization=u,
        utilization_source="slo" if source == "slo" else "target",
        cpu_utilization=u_cpu,
        x_cpu=target.cores * target.quota_efficiency * u_cpu / d_t,
        x_conc=w_rule * p.busy * per_worker * u,
        x_mem=w_fit * p.busy * per_worker * u if w_fit < w_rule else None,
        memory_per_worker_mib=m_w,
        memory_shared_mib=m_0,
    )
