from __future__ import annotations

from estimator.measure import RunResult
from estimator.scenario import Slo
from estimator.store.summarize import summarize
from estimator.views.slo import capacity_at, runs_at_slo


def _run(runs: list[RunResult], run_id: str) -> RunResult:
    return next(r for r in runs if r.id == run_id)


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
    # flask 3.11 sync rep 1: steps at 78 (p95 54.9), 93 (87.3), 112 (164.5) req/s target
    run = _run(runs, "93c2c9a3e6b3")
    cap = capacity_at(run, Slo(p95_ms=60.0))
    assert cap is not None
    assert cap.capacity_rps is not None
    assert run.capacity is not None
    step = run.capacity.steps[0]
    assert cap.capacity_rps == step.achieved_rps
    assert not cap.lower_bound  # the 93 req/s step missed 60 ms: the limit is found
    assert cap.stop_reason == "slo_p95"


def test_a_looser_slo_keeps_more_but_only_as_a_lower_bound(runs: list[RunResult]) -> None:
    run = _run(runs, "93c2c9a3e6b3")
    cap = capacity_at(run, Slo(p95_ms=500.0))
    assert cap is not None
    assert run.capacity is not None
    assert cap.capacity_rps == max(s.achieved_rps for s in run.capacity.steps)
    assert cap.lower_bound  # nothing above it was measured
    assert "at least" in cap.detail


def test_an_slo_nothing_met_leaves_no_capacity(runs: list[RunResult]) -> None:
    run = _run(runs, "93c2c9a3e6b3")
    cap = capacity_at(run, Slo(p95_ms=1.0))
    assert cap is not None
    assert cap.capacity_rps is None
    assert cap.stop_reason == "no_step_met_slo"
    assert "lowest measured rate" in cap.detail


def test_generator_bound_failures_do_not_count_as_the_limit(runs: list[RunResult]) -> None:
    run = _run(runs, "93c2c9a3e6b3")
    assert run.capacity is not None
    steps = list(run.capacity.steps)
    steps[1] = steps[1].model_copy(update={"generator_bound": True, "p95_ms": 500.0})
    steps[2] = steps[2].model_copy(update={"generator_bound": True})
    edited = run.model_copy(update={"capacity": run.capacity.model_copy(update={"steps": steps})})
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
