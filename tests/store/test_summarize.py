"""Summaries from windows: n = windows, one distribution per ratio, successful requests only,
like with like."""

from __future__ import annotations

import statistics

import pytest

from estimator.capacity.inputs import MeasuredInputs
from estimator.load import CapacityResult
from estimator.measure import RunResult
from estimator.store.summarize import run_figures, summarize
from tests.fixtures import fixture_runs


def test_one_summary_per_configuration_from_all_its_windows() -> None:
    runs = fixture_runs()
    out = summarize(runs)
    assert out.excluded == []
    assert len(out.summaries) == 8
    for s in out.summaries:
        mine = [r for r in runs if r.config_key == s.key]
        assert len(s.run_ids) == len(mine) == 2
        # n = the cost windows of both repetitions, not the 2 repetitions
        assert s.cpu_s_per_request.n == sum(len(r.cost) for r in mine)
        assert s.cpu_s_per_request.ci_low <= s.cpu_s_per_request.mean
        assert s.cpu_s_per_request.mean <= s.cpu_s_per_request.ci_high
        assert s.latency_low_ms.n == sum(len(r.probes) for r in mine)
        assert s.server_cpus == 1
        assert s.quota_cpus is None
        assert s.slots == s.server.slots
        assert s.batch_ids == sorted({r.batch_id for r in mine if r.batch_id})
        assert s.arrivals == "poisson"
        assert s.rounds == sum(r.rounds for r in mine)
        assert s.stop_reason is not None
        assert s.cost_ci_target == mine[0].cell.load.cost_ci_target
        assert s.cost_target_met == (
            s.cpu_s_per_request.relative_half_width <= mine[0].cell.load.cost_ci_target
        )
        assert s.ranked


def test_d_is_the_mean_of_the_cost_windows() -> None:
    runs = fixture_runs()
    key = runs[0].config_key
    values = [
        w.cpu_s_per_request
        for r in runs
        if r.config_key == key
        for w in r.cost
        if w.cpu_s_per_request is not None
    ]
    summary = next(s for s in summarize(runs).summaries if s.key == key)
    assert summary.cpu_s_per_request.mean == pytest.approx(statistics.fmean(values))


def test_p95_over_mean_at_low_load_comes_from_one_distribution() -> None:
    """The capacity model predicts p95 at low load as S × (p95 ÷ mean): both from the
    single-user windows, not a steady window's p95 over a probe's mean."""
    runs = fixture_runs()
    key = runs[0].config_key
    probes = [w for r in runs if r.config_key == key for w in r.probes]
    summary = next(s for s in summarize(runs).summaries if s.key == key)
    assert summary.latency_low_p95_ms is not None
    assert summary.latency_low_p95_ms.mean == pytest.approx(
        statistics.fmean(w.load.latency.p95_ms or 0.0 for w in probes)
    )
    inputs = MeasuredInputs.from_summary(summary)
    assert inputs.p95_low_ms == summary.latency_low_p95_ms
    assert inputs.latency_low_ms == summary.latency_low_ms


def _with_failures(run: RunResult) -> RunResult:
    phases = [
        p.model_copy(update={"load": p.load.model_copy(update={"failures": p.load.requests // 4})})
        if p.load.kind == "cost"
        else p
        for p in run.phases
    ]
    return run.model_copy(update={"phases": phases})


def test_error_rate_is_reported_beside_cpu_per_request() -> None:
    runs = fixture_runs()
    key = runs[0].config_key
    changed = [_with_failures(r) if r.config_key == key else r for r in runs]
    summary = next(s for s in summarize(changed).summaries if s.key == key)
    cost = [w for r in changed if r.config_key == key for w in r.cost]
    assert summary.error_rate == pytest.approx(
        sum(w.load.failures for w in cost) / sum(w.load.requests for w in cost)
    )
    assert 0.2 < summary.error_rate < 0.26


def test_lower_bound_propagates_and_no_capacity_is_excluded() -> None:
    runs = fixture_runs()
    target = runs[0]
    assert target.capacity is not None
    bounded = target.capacity.model_copy(
        update={"lower_bound": True, "stop_reason": "generator_bound"}
    )
    none_met = CapacityResult(
        capacity_rps=None,
        p95_ms=None,
        error_rate=None,
        lower_bound=False,
        stop_reason="no_step_met_slo",
        detail="p95 500 ms > SLO 100 ms",
        steps=[],
    )
    twin = next(r for r in runs[1:] if r.config_key == target.config_key)
    changed = [
        r.model_copy(update={"capacity": bounded})
        if r.id == target.id
        else r.model_copy(update={"capacity": none_met})
        if r.id == twin.id
        else r
        for r in runs
    ]
    out = summarize(changed)
    s = next(s for s in out.summaries if s.key == target.config_key)
    assert s.capacity_is_lower_bound
    assert s.capacity_rps.mean == bounded.capacity_rps
    # a lower bound leaves nothing above it known: its range ends at the value
    assert s.capacity_rps.ci_high == s.capacity_rps.ci_low == bounded.capacity_rps
    assert [e.reason for e in out.excluded] == ["no load met the SLO (p95 500 ms > SLO 100 ms)"]


def test_capacity_range_reaches_the_first_rate_that_failed() -> None:
    runs = fixture_runs()
    run = next(r for r in runs if r.capacity and r.capacity.stop_reason == "slo_p95")
    f = run_figures(run)
    assert not isinstance(f, str)
    assert run.capacity is not None
    failed = [s for s in run.capacity.steps if not s.meets(run.cell.slo)]
    assert f.capacity.capacity == run.capacity.capacity_rps
    assert f.capacity.upper == pytest.approx(max(f.capacity.capacity, failed[0].achieved_rps))


def test_not_warmed_up_is_carried_as_not_ranked() -> None:
    runs = fixture_runs()
    key = runs[0].config_key
    reason = "not warmed up (a JIT): the last windows still differ by 30%"
    changed = [
        r.model_copy(update={"warmed_up": False, "not_ranked_reason": reason})
        if r.id == runs[0].id
        else r
        for r in runs
    ]
    s = next(s for s in summarize(changed).summaries if s.key == key)
    assert not s.warmed_up
    assert not s.ranked
    assert s.not_ranked_reason == reason


def test_an_apps_configurations_come_from_one_scenario_version() -> None:
    runs = fixture_runs()
    flask = [r for r in runs if r.cell.app.name == "flask"]
    newest = max(r.started_at for r in runs) + 100
    # a newer scenario version measured only flask 3.11 sync again
    redo = [
        r.model_copy(
            update={
                "id": f"new{i}",
                "started_at": newest + i,
                "cell": r.cell.model_copy(update={"scenario_hash": "v2", "scenario": "new"}),
            }
        )
        for i, r in enumerate(flask)
        if r.config_key == "flask | cpython-3.11 | gunicorn-sync w1"
    ]
    out = summarize([*runs, *redo])
    flask_keys = sorted(s.key for s in out.summaries if s.app == "flask")
    assert flask_keys == ["flask | cpython-3.11 | gunicorn-sync w1"]
    s = out.summaries[[x.key for x in out.summaries].index(flask_keys[0])]
    assert s.run_ids == [r.id for r in redo]
    assert s.scenario_hash == "v2"
    excluded = {e.key: e.reason for e in out.excluded}
    assert len(excluded) == 3
    assert all("another version of the scenario" in why for why in excluded.values())
    assert len([s for s in out.summaries if s.app == "fastapi"]) == 4  # untouched


def test_pairs_within_batches_come_with_the_summaries() -> None:
    runs = fixture_runs()
    out = summarize(runs)
    batches = {r.batch_id for r in runs}
    # 4 batches of 4 configurations: 6 pairs each
    assert len(out.pairs) == 6 * len(batches)
    for pair in out.pairs:
        assert pair.a < pair.b
        assert pair.a.split(" | ")[0] == pair.b.split(" | ")[0]  # one app per batch


def test_failed_runs_are_ignored() -> None:
    runs = [r.model_copy(update={"status": "failed"}) for r in fixture_runs()]
    assert summarize(runs).summaries == []
