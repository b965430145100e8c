from __future__ import annotations

import statistics

import pytest

from estimator.load import CapacityResult
from estimator.store.summarize import run_figures, summarize
from tests.fixtures import fixture_runs


def test_one_summary_per_configuration_with_repetitions() -> None:
    out = summarize(fixture_runs())
    assert out.excluded == []
    assert len(out.summaries) == 8
    for s in out.summaries:
        assert s.cpu_s_per_request.n == 2
        assert len(s.run_ids) == 2
        assert s.cpu_s_per_request.ci_low <= s.cpu_s_per_request.mean <= s.cpu_s_per_request.ci_high
        assert s.server_cpus == 1
        assert s.quota_cpus is None
        assert s.slots == s.server.slots


def test_d_is_cpu_over_requests_of_the_steady_phases() -> None:
    runs = fixture_runs()
    run = runs[0]
    steady = [p for p in run.phases if p.load.kind == "steady"]
    expected = sum(p.server.server_cpu_s for p in steady if p.server) / sum(
        p.load.requests for p in steady
    )
    f = run_figures(run)
    assert not isinstance(f, str)
    assert f.d == pytest.approx(expected)
    summary = next(s for s in summarize(runs).summaries if s.key == run.config_key)
    others = [r for r in runs if r.config_key == run.config_key]
    values = []
    for r in others:
        fig = run_figures(r)
        assert not isinstance(fig, str)
        values.append(fig.d)
    assert summary.cpu_s_per_request.mean == pytest.approx(statistics.fmean(values))


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
    assert s.capacity_rps.n == 1
    assert [e.reason for e in out.excluded] == ["no load met the SLO (p95 500 ms > SLO 100 ms)"]


def test_failed_runs_are_ignored() -> None:
    runs = [r.model_copy(update={"status": "failed"}) for r in fixture_runs()]
    assert summarize(runs).summaries == []
