"""Per-configuration summaries over windows: the capacity model's inputs.

From each successful run's windows (`store.figures`):
- D = CPU-seconds per successful request of each cost window (closed loop, every slot busy;
  nanosecond counters over the server's whole process tree) → mean and 95% CI, n = windows;
- S = mean latency of each single-user probe window (no queueing), else of the lowest steady
  rate's windows; its companion `latency_low_p95_ms` is the p95 of the *same* windows, so a
  p95/mean ratio never mixes two distributions;
- p95 at the lowest steady rate (open loop, Poisson arrivals by default);
- X_max = the capacity search's result, with the range it left open;
- M_w, M_0 = worker USS and shared memory (total PSS − Σ worker USS) of each cost window.
With several repetitions (batches) of a configuration, their windows are pooled.

Like with like: an app's configurations are summarised from one scenario version (load plan,
SLO, locustfile path): the newest one measured for that app. Configurations measured only
under another version are excluded with the reason, never ranked beside the others. The
paired CPU ratios between configurations of one batch come with the summaries
(`Summaries.pairs`, see `store.paired`).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.measure import RunResult
from estimator.measure.balance import is_uneven
from estimator.stats import Estimate, estimate
from estimator.store.figures import RunFigures, run_figures
from estimator.store.paired import PairedRatio, paired_cpu_ratios
from estimator.store.summary import ConfigSummary

__all__ = ["Excluded", "RunFigures", "Summaries", "run_figures", "summarize"]

IDLE_SHARE_WARN = 0.02
"""Idle neighbours using more than this share of the loaded server's CPU get a warning."""
_STOP_ORDER = ("not_warmed_up", "budget", "max_rounds", "target")


class Excluded(Model):
    """A configuration (or run) that could not be summarised, and why."""

    key: str
    reason: str


class Summaries(Model):
    summaries: list[ConfigSummary]
    excluded: list[Excluded] = Field(default_factory=list)
    pairs: list[PairedRatio] = Field(
        default_factory=list,
        description="CPU per request B ÷ A per round, for configurations of one batch",
    )


def _newest_versions(runs: Sequence[RunResult]) -> dict[str, str]:
    """Per app, the scenario version of its most recent successful run."""
    newest: dict[str, RunResult] = {}
    for run in runs:
        app = run.cell.app.name
        if app not in newest or run.started_at > newest[app].started_at:
            newest[app] = run
    return {app: run.cell.scenario_hash for app, run in newest.items()}


def summarize(runs: Sequence[RunResult]) -> Summaries:
    ok = [r for r in runs if r.status == "ok"]
    versions = _newest_versions(ok)
    groups: dict[str, list[RunResult]] = defaultdict(list)
    other_version: dict[str, str] = {}
    for run in ok:
        if run.cell.scenario_hash == versions[run.cell.app.name]:
            groups[run.config_key].append(run)
        else:
            other_version[run.config_key] = run.cell.scenario
    out: list[ConfigSummary] = []
    excluded: list[Excluded] = []
    for key in sorted(set(other_version) - set(groups)):
        excluded.append(
            Excluded(
                key=key,
                reason=f"measured under another version of the scenario than the app's newest "
                f"runs (scenario '{other_version[key]}': another load plan, SLO or load test); "
                "not compared with them: measure it again in the current scenario",
            )
        )
    used: list[RunResult] = []
    for key in sorted(groups):
        figures: list[tuple[RunResult, RunFigures]] = []
        for run in groups[key]:
            f = run_figures(run)
            if isinstance(f, str):
                excluded.append(Excluded(key=f"{key} (run {run.id})", reason=f))
            else:
                figures.append((run, f))
        if figures:
            out.append(_summary(key, figures))
            used.extend(r for r, _ in figures)
    return Summaries(summaries=out, excluded=excluded, pairs=paired_cpu_ratios(used))


def _pooled(values: list[list[float]]) -> Estimate:
    return estimate([v for vs in values for v in vs])


def _capacity(vals: list[RunFigures]) -> Estimate:
    caps = [v.capacity for v in vals]
    return Estimate(
        mean=statistics.fmean(c.capacity for c in caps),
        ci_low=min(c.capacity for c in caps),
        ci_high=max(c.upper for c in caps),
        n=max(1, sum(c.steps for c in caps)),
    )


def _warnings(runs: list[RunResult], vals: list[RunFigures]) -> list[str]:
    warnings: list[str] = []
    for r in runs:
        for w in [*r.warnings, *r.mismatches]:
            if w not in warnings:
                warnings.append(w)
    first = runs[0]
    placement = first.launch.placement if first.launch else None
    if placement is not None and placement.quota_cpus and not placement.quota_applied:
        warnings.append(f"CPU quota {placement.quota_cpus} was NOT applied: {placement.quota_note}")
    shares = [v.neighbours_share for v in vals if v.neighbours_share is not None]
    if shares and max(shares) > IDLE_SHARE_WARN:
        warnings.append(
            f"the batch's idle servers used {max(shares):.1%} of the loaded server's CPU during "
            "its cost windows (they share its CPUs): its CPU per request is that much noisier"
        )
    return warnings


def _summary(key: str, figures: list[tuple[RunResult, RunFigures]]) -> ConfigSummary:
    runs = [r for r, _ in figures]
    vals = [f for _, f in figures]
    first = runs[0]
    cell = first.cell
    placement = first.launch.placement if first.launch else None
    server_cpus = len(placement.server_cpus) if placement else len(cell.cpu.server_cpus or [1])
    quota = placement.quota_cpus if placement and placement.quota_applied else None
    d = _pooled([v.cpu for v in vals])
    d_cap = [v.cpu_at_capacity for v in vals if v.cpu_at_capacity]
    d_steady = [v.cpu_steady for v in vals if v.cpu_steady]
    stops = [r.stop_reason for r in runs if r.stop_reason is not None]
    stop = next((s for s in _STOP_ORDER if s in stops), None)
    not_ranked = next((r.not_ranked_reason for r in runs if r.not_ranked_reason), None)
    requests = sum(v.requests for v in vals)
    eff = [e for v in vals for e in v.effective_workers]
    target = cell.load.cost_ci_target
    return ConfigSummary(
        key=key,
        app=cell.app.name,
        variant=cell.variant,
        server=cell.server,
        run_ids=[r.id for r in runs],
        host=first.host,
        server_cpus=server_cpus,
        quota_cpus=quota,
        cpu_s_per_request=d,
        cpu_s_per_request_at_capacity=_pooled(d_cap) if d_cap else None,
        cpu_s_per_request_steady=_pooled(d_steady) if d_steady else None,
        latency_low_ms=_pooled([v.s_ms for v in vals]),
        latency_low_p95_ms=_pooled([v.s_p95_ms for v in vals]),
        p95_steady_ms=_pooled([v.p95_steady_ms for v in vals]),
        capacity_rps=_capacity(vals),
        capacity_is_lower_bound=any(v.capacity.lower_bound for v in vals),
        capacity_stop_reason=Counter(v.capacity.stop_reason for v in vals).most_common(1)[0][0],
        worker_uss_mb=_pooled([v.uss_mib for v in vals]),
        shared_mb=_pooled([v.shared_mib or [0.0] for v in vals]),
        workers=cell.server.workers,
        slots=cell.server.slots,
        error_rate=sum(v.failures for v in vals) / requests if requests else 0.0,
        slo_p95_ms=cell.slo.p95_ms,
        build_optimized=first.interpreter.optimized if first.interpreter else None,
        warnings=_warnings(runs, vals),
        scenario_hash=cell.scenario_hash,
        batch_ids=sorted({r.batch_id for r in runs if r.batch_id}),
        rounds=sum(r.rounds for r in runs),
        arrivals=first.arrivals,
        closed_loop_rps=_pooled([v.throughput for v in vals]),
        stop_reason=stop,
        cost_ci_target=target,
        cost_target_met=d.n >= 2 and d.relative_half_width <= target,
        warmed_up=all(r.warmed_up for r in runs),
        effective_workers=_pooled([v.effective_workers for v in vals]) if eff else None,
        busiest_worker_share=_pooled([v.busiest_share for v in vals]) if eff else None,
        workers_uneven=bool(eff) and is_uneven(statistics.fmean(eff), cell.server.workers),
        keep_alive=cell.load.keep_alive,
        not_ranked_reason=not_ranked,
    )
