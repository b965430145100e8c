"""A configuration's open-loop windows, one per round: probes and steady windows first
(alternating), then the capacity search, its rates following the closed-loop throughput."""

from __future__ import annotations

import pytest

from estimator.measure import PhaseResult
from estimator.measure.latency import LatencyQueue
from estimator.scenario import LoadPlan, Slo
from tests.fixtures import fixture_runs

PLAN = LoadPlan(
    probe_windows=2,
    steady_fractions=[0.5],
    steady_windows=2,
    search_start_fraction=0.7,
    search_step_factor=1.2,
    search_max_steps=3,
    arrivals="poisson",
)
SLO = Slo(p95_ms=100.0)


def _template() -> PhaseResult:
    return next(w for r in fixture_runs() for w in r.phases if w.load.kind == "step")


def _outcome(rate: float, p95: float) -> PhaseResult:
    t = _template()
    latency = t.load.latency.model_copy(update={"p95_ms": p95})
    load = t.load.model_copy(
        update={
            "target_rate": rate,
            "throughput_rps": rate,
            "offered_requests": rate * t.load.duration_s,
            "requests": int(rate * t.load.duration_s),
            "drained_requests": 0,
            "failures": 0,
            "latency": latency,
        }
    )
    return t.model_copy(update={"load": load, "generator_bound": False})


def test_probes_and_steady_windows_alternate_then_the_search() -> None:
    queue = LatencyQueue(PLAN, SLO)
    kinds, rates = [], []
    while not queue.done:
        window = queue.next_window(100.0, seed=7)
        assert window is not None
        assert window.spec.seed == 7
        kinds.append(window.spec.kind)
        rates.append(window.spec.rate)
        p95 = 50.0 if (window.spec.rate or 0) < 90 else 150.0
        queue.record(window, _outcome(window.spec.rate or 1.0, p95))
    assert kinds[:4] == ["probe", "steady", "probe", "steady"]
    assert kinds[4:] == ["step", "step", "step"]
    assert rates[1] == rates[3] == pytest.approx(50.0)  # one steady rate, fixed
    assert rates[4:] == pytest.approx([70.0, 84.0, 100.8])  # 0.7 × 100, then × 1.2
    cap = queue.capacity()
    assert cap is not None
    assert cap.capacity_rps == pytest.approx(84.0)  # 100.8 req/s missed the SLO
    assert (cap.stop_reason, cap.lower_bound) == ("slo_p95", False)
    assert queue.next_window(100.0, seed=7) is None


def test_steady_windows_are_open_loop_with_the_plans_arrivals() -> None:
    queue = LatencyQueue(PLAN, SLO)
    probe = queue.next_window(200.0, seed=1)
    assert probe is not None
    assert (probe.spec.users, probe.spec.rate) == (1, None)
    steady = queue.next_window(200.0, seed=1)
    assert steady is not None
    assert steady.spec.arrivals == "poisson"
    assert steady.spec.rate == pytest.approx(100.0)


def test_a_steady_rate_meeting_the_slo_counts_when_the_first_step_fails() -> None:
    plan = PLAN.model_copy(update={"probe_windows": 1, "steady_windows": 1})
    queue = LatencyQueue(plan, SLO)
    for _ in range(2):  # probe, steady at 50 (p95 40 ms: meets the SLO)
        window = queue.next_window(100.0, seed=None)
        assert window is not None
        queue.record(window, _outcome(window.spec.rate or 1.0, 40.0))
    step = queue.next_window(100.0, seed=None)
    assert step is not None
    assert step.spec.kind == "step"
    queue.record(step, _outcome(step.spec.rate or 1.0, 500.0))  # 70 req/s: misses it
    assert queue.done  # no stepping down below a rate that is known to pass
    cap = queue.capacity()
    assert cap is not None
    assert cap.capacity_rps == pytest.approx(50.0)
    assert cap.stop_reason == "slo_p95"
    assert not cap.lower_bound


def test_without_throughput_there_is_nothing_to_measure() -> None:
    queue = LatencyQueue(PLAN, SLO)
    assert queue.next_window(0.0, seed=None) is None
    assert queue.capacity() is None


def test_past_the_budget_only_what_a_summary_lacks_is_measured() -> None:
    queue = LatencyQueue(PLAN, SLO)  # 2 probes, 2 windows of one steady rate, a search
    assert not queue.has_minimum
    kinds = []
    while (window := queue.next_window(100.0, seed=None, minimum=True)) is not None:
        kinds.append(window.spec.kind)
        queue.record(window, _outcome(window.spec.rate or 1.0, 50.0))
    assert kinds == ["probe", "steady", "step"]  # one of each, then nothing
    assert queue.has_minimum
    cap = queue.capacity()
    assert cap is not None
    assert (cap.stop_reason, cap.lower_bound) == ("budget", True)  # the search was cut
