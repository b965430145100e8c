"""What-if SLO: re-read each run's capacity at another p95 limit from what it recorded.

A run's capacity search measured p95 at a ladder of rates (and its steady phases at lower
ones), so the capacity at another SLO is the highest achieved rate whose p95 (and error rate)
met it — no new measurement, no model. Whether that is the server's limit depends on what was
seen above it:
- a higher rate that missed the new SLO (and was not generator-bound): the limit is found;
- the search's plateau (throughput stopped rising) at that very step: the limit is found;
- otherwise (a looser SLO than measured, or every step passing): only a lower bound, "≥ X".
A configuration whose lowest measured rate already misses the SLO has no capacity at it: it is
excluded, with the reason, by the store's summarize (the same path as any unusable run).
At the measured SLO the runs are returned unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.load import CapacityResult
from estimator.load.search import StepOutcome
from estimator.measure import RunResult
from estimator.scenario import Slo


def _candidates(run: RunResult) -> list[tuple[StepOutcome, bool]]:
    """(outcome, is the search's last step) for the search steps and the steady phases."""
    cap = run.capacity
    steps = list(cap.steps) if cap else []
    out = [(s, i == len(steps) - 1) for i, s in enumerate(steps)]
    for phase in run.steady:
        if phase.load.target_rate is not None:
            out.append(
                (StepOutcome.from_phase(phase.load, generator_bound=phase.generator_bound), False)
            )
    return out


def capacity_at(run: RunResult, slo: Slo) -> CapacityResult | None:
    """The run's capacity under `slo` (None: the run has no capacity search)."""
    cap = run.capacity
    if cap is None:
        return None
    candidates = _candidates(run)
    passing = [(s, last) for s, last in candidates if s.meets(slo)]
    where = f"at p95 ≤ {slo.p95_ms:g} ms (re-read from the recorded steps)"
    if not passing:
        lowest = min(candidates, key=lambda c: c[0].target_rps)[0] if candidates else None
        seen = (
            f"; at the lowest measured rate ({lowest.achieved_rps:,.0f} req/s) p95 was "
            f"{lowest.p95_ms:,.1f} ms"
            if lowest and lowest.p95_ms is not None
            else ""
        )
        return CapacityResult(
            capacity_rps=None,
            p95_ms=None,
            error_rate=None,
            lower_bound=False,
            stop_reason="no_step_met_slo",
            detail=f"no measured rate met p95 ≤ {slo.p95_ms:g} ms{seen}",
            steps=cap.steps,
        )
    best, best_is_last = max(passing, key=lambda c: c[0].achieved_rps)
    failed_above = [
        s
        for s, _ in candidates
        if not s.meets(slo) and s.target_rps > best.target_rps and not s.generator_bound
    ]
    if failed_above:
        first = min(failed_above, key=lambda s: s.target_rps)
        errors = first.error_rate > slo.max_error_rate or first.p95_ms is None
        reason = "errors" if errors else "slo_p95"
        what = (
            f"error rate {first.error_rate:.1%}"
            if errors
            else f"p95 {first.p95_ms:,.1f} ms > {slo.p95_ms:g} ms"
        )
        lower, detail = False, f"{what} at {first.target_rps:,.0f} req/s target {where}"
    elif cap.stop_reason == "plateau" and best_is_last:
        reason, lower, detail = "plateau", False, f"{cap.detail} {where}"
    else:
        reason = "generator_bound" if cap.stop_reason == "generator_bound" else "max_steps"
        lower = True
        detail = (
            f"every measured rate up to {best.achieved_rps:,.0f} req/s met p95 ≤ "
            f"{slo.p95_ms:g} ms; the limit at this SLO was not reached: at least this much"
        )
    return CapacityResult(
        capacity_rps=best.achieved_rps,
        p95_ms=best.p95_ms,
        error_rate=best.error_rate,
        lower_bound=lower,
        stop_reason=reason,
        detail=detail,
        steps=cap.steps,
    )


def runs_at_slo(runs: Sequence[RunResult], p95_ms: float | None) -> list[RunResult]:
    """The runs as if measured against p95 ≤ `p95_ms` (None: unchanged). Each run's cell SLO
    is replaced too, so summaries, the capacity model and reports state the SLO used."""
    if p95_ms is None:
        return list(runs)
    out = []
    for run in runs:
        if run.cell.slo.p95_ms == p95_ms:
            out.append(run)
            continue
        slo = run.cell.slo.model_copy(update={"p95_ms": p95_ms})
        cell = run.cell.model_copy(update={"slo": slo})
        out.append(run.model_copy(update={"cell": cell, "capacity": capacity_at(run, slo)}))
    return out
