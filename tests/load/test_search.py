"""Capacity search against synthetic servers (latency curves, error curves, generators)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from estimator.load.histogram import LatencyHistogram
from estimator.load.models import PhaseLoad
from estimator.load.search import PLATEAU_FRACTION, StepOutcome, search_capacity
from estimator.scenario import LoadPlan, Slo

PLAN = LoadPlan(search_step_factor=1.25, search_max_steps=10)
SLO = Slo(p95_ms=50, max_error_rate=0.01)


def server(
    capacity: float,
    *,
    base_ms: float = 5.0,
    errors_above: float | None = None,
    generator_limit: float | None = None,
) -> Callable[[float], StepOutcome]:
    """A queueing-like server: p95 grows as 1/(1 - utilisation); throughput caps at capacity."""
    calls: list[float] = []

    def run_step(rate: float) -> StepOutcome:
        calls.append(rate)
        offered = rate if generator_limit is None else min(rate, generator_limit)
        achieved = min(offered, capacity)
        util = min(offered / capacity, 0.999)
        error_rate = 0.2 if errors_above is not None and rate > errors_above else 0.0
        return StepOutcome(
            target_rps=rate,
            achieved_rps=achieved,
            p95_ms=base_ms / (1 - util),
            error_rate=error_rate,
            requests=int(achieved * 3),
            generator_bound=generator_limit is not None and rate >= generator_limit,
        )

    run_step.calls = calls  # type: ignore[attr-defined]
    return run_step


def test_stops_when_p95_breaks_the_slo() -> None:
    # p95 = 5/(1-r/1000) <= 50 ms while r <= 900
    result = search_capacity(server(1000), 400, PLAN, SLO)
    rates = [s.target_rps for s in result.steps]
    assert rates == pytest.approx([400, 500, 625, 781.25, 976.5625])
    assert result.stop_reason == "slo_p95"
    assert result.capacity_rps == pytest.approx(781.25)
    assert result.p95_ms == pytest.approx(5 / (1 - 0.78125))
    assert not result.lower_bound
    assert "p95" in result.detail
    assert "> SLO 50 ms" in result.detail


def test_stops_when_errors_exceed_the_limit() -> None:
    result = search_capacity(server(10_000, errors_above=600), 400, PLAN, SLO)
    assert result.stop_reason == "errors"
    assert result.capacity_rps == pytest.approx(500)
    assert "error rate 20.0% > limit 1.0%" in result.detail


def test_stops_on_plateau_keeping_the_passing_step() -> None:
    # generous SLO: latency never breaks it, but throughput stops at 700
    slo = Slo(p95_ms=10_000, max_error_rate=0.01)
    result = search_capacity(server(700), 400, PLAN, slo)
    assert result.stop_reason == "plateau"
    last = result.steps[-1]
    assert last.achieved_rps < PLATEAU_FRACTION * last.target_rps
    assert result.capacity_rps == pytest.approx(700)
    assert not result.lower_bound


def test_generator_bound_gives_a_lower_bound() -> None:
    result = search_capacity(server(5000, generator_limit=700), 400, PLAN, SLO)
    assert result.stop_reason == "generator_bound"
    assert result.lower_bound
    assert result.capacity_rps == pytest.approx(700)
    assert "at least" in result.detail


def test_first_step_failing_steps_down() -> None:
    result = search_capacity(server(1000), 2000, PLAN, SLO)
    rates = [s.target_rps for s in result.steps]
    assert rates == pytest.approx([2000, 1600, 1280, 1024, 819.2])
    assert result.stop_reason == "slo_p95"
    assert result.capacity_rps == pytest.approx(819.2)
    assert "stepped down to 819 req/s" in result.detail


def test_no_step_meets_the_slo() -> None:
    plan = PLAN.model_copy(update={"search_max_steps": 3})
    result = search_capacity(server(1000, base_ms=80), 400, plan, SLO)
    assert result.stop_reason == "no_step_met_slo"
    assert result.capacity_rps is None
    assert result.p95_ms is None
    assert len(result.steps) == 3


def test_running_out_of_steps_while_passing_is_a_lower_bound() -> None:
    plan = PLAN.model_copy(update={"search_max_steps": 2})
    result = search_capacity(server(100_000), 400, plan, SLO)
    assert result.stop_reason == "max_steps"
    assert result.lower_bound
    assert result.capacity_rps == pytest.approx(500)


def test_step_without_successes_fails() -> None:
    def dead(rate: float) -> StepOutcome:
        return StepOutcome(
            target_rps=rate,
            achieved_rps=0,
            p95_ms=None,
            error_rate=0,
            requests=0,
            generator_bound=False,
        )

    plan = PLAN.model_copy(update={"search_max_steps": 2})
    result = search_capacity(dead, 100, plan, SLO)
    assert result.capacity_rps is None
    assert result.stop_reason == "no_step_met_slo"


def test_start_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        search_capacity(server(1000), 0, PLAN, SLO)


def test_step_outcome_from_phase() -> None:
    h = LatencyHistogram()
    for v in (1.0, 2.0, 3.0):
        h.record(v)
    phase = PhaseLoad(
        name="step-1",
        kind="step",
        target_rate=100.0,
        users=4,
        generator_processes=1,
        started_at=0.0,
        duration_s=2.0,
        requests=190,
        failures=2,
        throughput_rps=95.0,
        latency=h.summary(),
        endpoints=[],
        failure_reasons=[],
        series=[],
        generator_cpu=[0.4],
        start_lag_s=0.0,
        histogram=h.to_data(),
    )
    step = StepOutcome.from_phase(phase, generator_bound=True)
    assert step.target_rps == 100.0
    assert step.achieved_rps == 95.0
    assert step.error_rate == pytest.approx(2 / 190)
    assert step.p95_ms == h.percentile(0.95)
    assert step.generator_bound
    closed = phase.model_copy(update={"target_rate": None})
    with pytest.raises(ValueError, match="closed-loop"):
        StepOutcome.from_phase(closed, generator_bound=False)


def test_a_search_cut_short_is_a_lower_bound() -> None:
    from estimator.load.search import CapacitySearch

    search = CapacitySearch(100.0, PLAN, SLO)
    rate = search.next_rate()
    search.record(server(1000)(rate))
    assert not search.done
    result = search.result()  # the budget ended here
    assert (result.stop_reason, result.lower_bound) == ("budget", True)
    assert result.capacity_rps == pytest.approx(rate)
    assert "time budget" in result.detail
