"""One run's figures, window by window: what summaries and comparisons are computed from.

A run (one configuration of a batch) holds windows of four kinds besides its warm-up:
- `cost`: closed loop, every slot busy: CPU-seconds per successful request (nanosecond CPU
  counters), memory, throughput;
- `probe`: one user, one request at a time: latency without queueing (S) and its own p95;
- `steady`: open loop at a low rate (a fraction of the closed-loop throughput): p95 there;
- `step`: the capacity search's rates: the SLO-limited capacity.
Every figure keeps its windows separate (one value per window), so a summary's interval has
n = windows, and a p95/mean ratio is taken within one distribution, never across two.
"""

from __future__ import annotations

from pydantic import Field

from estimator._model import Model
from estimator.measure import PhaseResult, RunResult
from estimator.measure.balance import busy_workers


class CapacityBracket(Model):
    """The search's answer with the range it leaves open."""

    capacity: float = Field(description="highest achieved rate that met the SLO")
    upper: float = Field(
        description="where the limit lies below: the achieved rate of the first step that "
        "failed, or the closed-loop throughput when the search plateaued; = capacity when "
        "the search did not reach the limit (a lower bound)"
    )
    lower_bound: bool
    stop_reason: str
    steps: int = Field(description="windows the search judged: its steps and the steady ones")


class RunFigures(Model):
    """One run's per-window values (lists in window order)."""

    cpu: list[float] = Field(description="cost windows: CPU-seconds per successful request")
    cost_rounds: list[int] = Field(description="the round of each cpu value")
    cpu_at_capacity: list[float]
    cpu_steady: list[float] = Field(description="lowest steady rate's windows (open loop)")
    s_ms: list[float] = Field(description="probe windows' mean latency (else lowest steady)")
    s_p95_ms: list[float] = Field(description="the same windows' p95: one distribution each")
    p95_steady_ms: list[float] = Field(description="lowest steady rate's windows' p95")
    uss_mib: list[float]
    shared_mib: list[float]
    throughput: list[float] = Field(description="cost windows' closed-loop throughput")
    requests: int
    failures: int
    neighbours_share: float | None = Field(
        description="CPU the idle servers used ÷ the loaded one's, over the cost windows"
    )
    capacity: CapacityBracket
    effective_workers: list[float] = Field(
        default_factory=list,
        description="cost windows: effective busy workers (`measure.balance.busy_workers`)",
    )
    busiest_share: list[float] = Field(
        default_factory=list, description="cost windows: the busiest worker's share of the CPU"
    )

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def _lowest_steady(run: RunResult) -> list[PhaseResult]:
    steady = [p for p in run.steady if p.load.requests > 0 and p.load.target_rate is not None]
    if not steady:
        return []
    low = min(p.load.target_rate or 0.0 for p in steady)
    return [p for p in steady if p.load.target_rate == low]


def _bracket(run: RunResult, closed_loop: float) -> CapacityBracket | str:
    cap = run.capacity
    if cap is None:
        return "no capacity search"
    if cap.capacity_rps is None:
        return f"no load met the SLO ({cap.detail})"
    best = cap.capacity_rps
    failed_above = [
        s.achieved_rps
        for s in cap.steps
        if s.target_rps > best and not s.meets(run.cell.slo) and not s.generator_bound
    ]
    if cap.lower_bound:
        upper = best
    elif failed_above:
        upper = max(best, min(failed_above))
    else:  # plateau: the closed-loop throughput caps it
        upper = max(best, closed_loop)
    return CapacityBracket(
        capacity=best,
        upper=upper,
        lower_bound=cap.lower_bound,
        stop_reason=cap.stop_reason,
        steps=len(cap.steps) + sum(1 for p in run.steady if p.load.target_rate is not None),
    )


def run_figures(run: RunResult) -> RunFigures | str:
    """The run's figures, or why it can't be summarised."""
    cost = [p for p in run.cost if p.cpu_s_per_request is not None and p.server is not None]
    if not cost:
        return "no cost window with requests and CPU readings"
    uss = [p.server.worker_uss_mib for p in cost if p.server and p.server.worker_uss_mib]
    if not uss:
        return "no worker memory sample in the cost windows"
    shared = [p.server.shared_mib for p in cost if p.server and p.server.shared_mib is not None]
    throughput = [p.load.throughput_rps for p in cost]
    bracket = _bracket(run, sum(throughput) / len(throughput))
    if isinstance(bracket, str):
        return bracket
    probes = [p for p in run.probes if p.load.latency.mean_ms is not None]
    low = _lowest_steady(run)
    latency_windows = probes or [p for p in low if p.load.latency.mean_ms is not None]
    if not latency_windows:
        return "no successful request in a single-user or steady window"
    if not any(p.load.latency.p95_ms is not None for p in low):
        return "no successful request at the lowest steady rate"
    cap = run.capacity
    at_cap = [
        p.cpu_s_per_request
        for p in run.phases
        if p.load.kind == "step"
        and cap is not None
        and p.load.throughput_rps == cap.capacity_rps
        and p.cpu_s_per_request is not None
    ]
    loaded = sum(p.cpu.cpu_s for p in cost if p.cpu)
    balances = [p.balance for p in cost if p.balance is not None]
    idle = [p.neighbours_cpu_s for p in cost if p.neighbours_cpu_s is not None]
    return RunFigures(
        cpu=[p.cpu_s_per_request for p in cost if p.cpu_s_per_request is not None],
        cost_rounds=[p.round or 0 for p in cost],
        cpu_at_capacity=at_cap,
        cpu_steady=[p.cpu_s_per_request for p in low if p.cpu_s_per_request is not None],
        s_ms=[p.load.latency.mean_ms for p in latency_windows if p.load.latency.mean_ms],
        s_p95_ms=[
            p.load.latency.p95_ms
            for p in latency_windows
            if p.load.latency.mean_ms and p.load.latency.p95_ms is not None
        ],
        p95_steady_ms=[p.load.latency.p95_ms for p in low if p.load.latency.p95_ms is not None],
        uss_mib=uss,
        shared_mib=shared,
        throughput=throughput,
        requests=sum(p.load.requests for p in cost),
        failures=sum(p.load.failures for p in cost),
        neighbours_share=sum(idle) / loaded if idle and loaded > 0 else None,
        capacity=bracket,
        effective_workers=[
            e for b in balances if (e := busy_workers(b, run.cell.server)) is not None
        ],
        busiest_share=[b.busiest_share for b in balances if b.busiest_share is not None],
    )
