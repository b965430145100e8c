from __future__ import annotations

from estimator.load.search import StepOutcome
from estimator.measure import RunResult
from estimator.scenario import Slo
from estimator.store.summarize import summarize
from estimator.views.slo import capacity_at, runs_at_slo


def _searched(runs: list[RunResult]) -> RunResult:
    """A run whose search found the limit: its first step met the SLO, a later one missed it."""
    for run in runs:
        cap = run.capacity
        if cap is None or cap.stop_reason != "slo_p95" or len(cap.steps) < 2:
            continue
        if cap.steps[0].meets(run.cell.slo) and not cap.steps[-1].meets(run.cell.slo):
            return run
    raise AssertionError("the recorded runs include a search that found its limit")


def _candidates(run: RunResult) -> list[StepOutcome]:
    assert run.capacity is not None
    steady = [
        StepOutcome.from_phase(p.load, generator_bound=p.generator_bound)
        for p in run.steady
        if p.load.target_rate is not None
    ]
    return [*run.capacity.steps, *steady]


def test_at_the_measured_slo_the_runs_are_unchanged(runs: list[RunResult]) -> None:
    assert runs_at_slo(runs, None) == runs
    assert runs_at_slo(runs, 100.0) == runs  # the recorded runs' SLO


def test_the_same_rule_at_the_measured_slo_reproduces_the_search(runs: list[RunResult]) -> None:
    for run in runs:
        assert run.capacity is not None
        again = capacity_at(run, run.cell.slo)
        assert again is not None
        assert again.capacity_rps == run.capacity.capacity_rps, run.id
        assert again.lower_bound == run.capacity.lower_bound, run.id


def test_a_stricter_slo_picks_the_highest_rate_meeting_it(runs: list[RunResult]) -> None:
    run = _searched(runs)
    assert run.capacity is not None
    strict = Slo(p95_ms=run.capacity.steps[0].p95_ms or 0.0)  # the first step just meets it
    cap = capacity_at(run, strict)
    assert cap is not None
    assert cap.capacity_rps is not None
    meeting = [c.achieved_rps for c in _candidates(run) if c.meets(strict)]
    assert cap.capacity_rps == max(meeting)
    assert not cap.lower_bound  # the last step missed even the measured SLO: limit found
    assert cap.stop_reason == "slo_p95"


def test_a_looser_slo_keeps_more_but_only_as_a_lower_bound(runs: list[RunResult]) -> None:
    run = _searched(runs)
    cap = capacity_at(run, Slo(p95_ms=5000.0))
    assert cap is not None
    assert cap.capacity_rps == max(c.achieved_rps for c in _candidates(run))
    assert cap.lower_bound  # nothing above it was measured
    assert "at least" in cap.detail


def test_an_slo_nothing_met_leaves_no_capacity(runs: list[RunResult]) -> None:
    run = _searched(runs)
    cap = capacity_at(run, Slo(p95_ms=0.001))
    assert cap is not None
    assert cap.capacity_rps is None
    assert cap.stop_reason == "no_step_met_slo"
    assert "lowest measured rate" in cap.detail


def test_generator_bound_failures_do_not_count_as_the_limit(runs: list[RunResult]) -> None:
    run = _searched(runs)
    assert run.capacity is not None
    steps = [run.capacity.steps[0]] + [
        s.model_copy(update={"generator_bound": True, "p95_ms": 500.0})
        for s in run.capacity.steps[1:]
    ]
    edited = run.model_copy(
        update={
            "capacity": run.capacity.model_copy(update={"steps": steps}),
            "phases": [p for p in run.phases if p.load.kind != "steady"],
        }
    )
    cap = capacity_at(edited, Slo(p95_ms=100.0))
    assert cap is not None
    assert cap.capacity_rps == steps[0].achieved_rps
    assert cap.lower_bound


def test_summaries_at_a_stricter_slo(runs: list[RunResult]) -> None:
    base = {s.key: s for s in summarize(runs).summaries}
    strict = summarize(runs_at_slo(runs, 70.0))
    assert all(s.slo_p95_ms == 70.0 for s in strict.summaries)
    for s in strict.summaries:
        assert s.capacity_rps.mean <= base[s.key].capacity_rps.mean + 1e-9
    # a configuration whose low-load p95 already misses 70 ms loses runs, with the reason
    assert strict.excluded
    assert all("SLO" in e.reason or "met" in e.reason for e in strict.excluded)
