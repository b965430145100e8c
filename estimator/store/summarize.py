"""Per-configuration summaries over repetitions: the capacity model's inputs.

For each run (status ok):
- D = server CPU-seconds ÷ requests over all its steady phases;
- S = mean latency of the single-user probe (one request at a time: service time without
  queueing), or at the lowest steady rate for runs without a probe;
- p95 = p95 latency at the lowest steady rate;
- X_max = the capacity search's result (a lower bound when the generator saturated);
- M_w, M_0 = median worker USS and shared memory (total PSS − Σ worker USS) in steady phases.
Repetitions of a configuration become `Estimate`s (mean, 95% CI). When a configuration was
measured under several scenario versions (another load plan or SLO), only the runs of the
newest version are summarised: mixing plans would blur what the numbers mean.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.measure import RunResult
from estimator.stats import estimate
from estimator.store.summary import ConfigSummary


class Excluded(Model):
    """A configuration (or run) that could not be summarised, and why."""

    key: str
    reason: str


class Summaries(Model):
    summaries: list[ConfigSummary]
    excluded: list[Excluded] = Field(default_factory=list)


class RunFigures(Model):
    """One run's contribution to its configuration's summary."""

    d: float
    d_cap: float | None
    s_ms: float
    p95_ms: float
    capacity: float
    lower_bound: bool
    stop_reason: str
    uss_mib: float
    shared_mib: float
    error_rate: float


def run_figures(run: RunResult) -> RunFigures | str:
    steady = [p for p in run.steady if p.server is not None and p.load.requests > 0]
    if not steady:
        return "no steady phase with requests and resource samples"
    if run.capacity is None or run.capacity.capacity_rps is None:
        detail = run.capacity.detail if run.capacity else "no capacity search"
        return f"no load met the SLO ({detail})"
    lowest = min(steady, key=lambda p: p.load.target_rate or 0.0)
    requests = sum(p.load.requests for p in steady)
    cpu = sum(p.server.server_cpu_s for p in steady if p.server)
    uss = [p.server.worker_uss_mib for p in steady if p.server and p.server.worker_uss_mib]
    shared = [p.server.shared_mib for p in steady if p.server and p.server.shared_mib is not None]
    if not uss:
        return "no worker memory sample in the steady phases"
    if lowest.load.latency.mean_ms is None or lowest.load.latency.p95_ms is None:
        return "no successful request at the lowest steady rate"
    at_cap = [
        p
        for p in run.phases
        if p.load.kind == "step" and p.load.throughput_rps == run.capacity.capacity_rps
    ]
    d_cap = at_cap[0].cpu_s_per_request if at_cap else None
    probe = run.probe
    s_ms = lowest.load.latency.mean_ms
    if probe is not None and probe.load.latency.mean_ms is not None:
        s_ms = probe.load.latency.mean_ms
    return RunFigures(
        d=cpu / requests,
        d_cap=d_cap,
        s_ms=s_ms,
        p95_ms=lowest.load.latency.p95_ms,
        capacity=run.capacity.capacity_rps,
        lower_bound=run.capacity.lower_bound,
        stop_reason=run.capacity.stop_reason,
        uss_mib=statistics.median(uss),
        shared_mib=statistics.median(shared) if shared else 0.0,
        error_rate=sum(p.load.failures for p in steady) / requests,
    )


def summarize(runs: Sequence[RunResult]) -> Summaries:
    groups: dict[str, dict[str, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        if run.status == "ok":
            groups[run.config_key][run.cell.scenario_hash].append(run)
    out: list[ConfigSummary] = []
    excluded: list[Excluded] = []
    for key in sorted(groups):
        versions = groups[key]
        newest = max(versions.values(), key=lambda rs: max(r.started_at for r in rs))
        figures: list[tuple[RunResult, RunFigures]] = []
        for run in newest:
            f = run_figures(run)
            if isinstance(f, str):
                excluded.append(Excluded(key=f"{key} (run {run.id})", reason=f))
            else:
                figures.append((run, f))
        if not figures:
            continue
        out.append(_summary(key, figures))
    return Summaries(summaries=out, excluded=excluded)


def _summary(key: str, figures: list[tuple[RunResult, RunFigures]]) -> ConfigSummary:
    runs = [r for r, _ in figures]
    vals = [f for _, f in figures]
    first = runs[0]
    cell = first.cell
    placement = first.launch.placement if first.launch else None
    server_cpus = len(placement.server_cpus) if placement else len(cell.cpu.server_cpus or [1])
    quota = placement.quota_cpus if placement and placement.quota_applied else None
    warnings: list[str] = []
    for r in runs:
        for w in [*r.warnings, *r.mismatches]:
            if w not in warnings:
                warnings.append(w)
    if placement is not None and placement.quota_cpus and not placement.quota_applied:
        warnings.append(f"CPU quota {placement.quota_cpus} was NOT applied: {placement.quota_note}")
    optimized = first.interpreter.optimized if first.interpreter else None
    return ConfigSummary(
        key=key,
        app=cell.app.name,
        variant=cell.variant,
        server=cell.server,
        run_ids=[r.id for r in runs],
        host=first.host,
        server_cpus=server_cpus,
        quota_cpus=quota,
        cpu_s_per_request=estimate([v.d for v in vals]),
        cpu_s_per_request_at_capacity=(
            estimate([v.d_cap for v in vals if v.d_cap is not None])
            if any(v.d_cap is not None for v in vals)
            else None
        ),
        latency_low_ms=estimate([v.s_ms for v in vals]),
        p95_steady_ms=estimate([v.p95_ms for v in vals]),
        capacity_rps=estimate([v.capacity for v in vals]),
        capacity_is_lower_bound=any(v.lower_bound for v in vals),
        capacity_stop_reason=Counter(v.stop_reason for v in vals).most_common(1)[0][0],
        worker_uss_mb=estimate([v.uss_mib for v in vals]),
        shared_mb=estimate([v.shared_mib for v in vals]),
        workers=cell.server.workers,
        slots=cell.server.slots,
        error_rate=statistics.fmean(v.error_rate for v in vals),
        slo_p95_ms=cell.slo.p95_ms,
        build_optimized=optimized,
        warnings=warnings,
    )
