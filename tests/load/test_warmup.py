from __future__ import annotations

from collections.abc import Sequence

import pytest

from estimator.load.histogram import LatencyHistogram
from estimator.load.models import PhaseLoad, PhaseSpec
from estimator.load.warmup import (
    WarmupResult,
    WarmupTracker,
    is_steady,
    run_warmup,
    search_start_rate,
    steady_rates,
)
from estimator.scenario import LoadPlan

PLAN = LoadPlan(warmup_min_s=3, warmup_max_s=20, warmup_window_s=1, warmup_tolerance=0.05)


def feed(plan: LoadPlan, curve: Sequence[float]) -> WarmupTracker:
    tracker = WarmupTracker(plan)
    for rps in curve:
        if tracker.add(rps, plan.warmup_window_s):
            break
    return tracker


def test_is_steady() -> None:
    assert is_steady([100, 102, 98], 0.05)
    assert not is_steady([100, 110, 98], 0.05)
    assert not is_steady([0, 0, 0], 0.05)
    assert not is_steady([], 0.05)


def test_flat_server_is_steady_after_min_time() -> None:
    result = feed(PLAN, [1000, 1001, 999, 1000, 1000]).result()
    assert result.converged
    assert result.warmup_s == 3
    assert result.steady_rps == pytest.approx(1000)
    assert result.windows_rps == [1000, 1001, 999]


def test_min_time_is_respected() -> None:
    plan = PLAN.model_copy(update={"warmup_min_s": 5})
    result = feed(plan, [1000] * 10).result()
    assert result.warmup_s == 5


def test_jit_ramp_is_detected_and_waited_for() -> None:
    # PyPy-like: throughput climbs for 8 s, then plateaus at 3000
    curve = [800, 1100, 1450, 1800, 2150, 2500, 2800, 2950, 3000, 3005, 2998, 3001]
    result = feed(PLAN, curve).result()
    assert result.converged
    assert result.warmup_s == 10  # the 3 windows 8..10 s are the first that agree
    assert result.steady_rps == pytest.approx((2950 + 3000 + 3005) / 3)
    assert "steady after 10.0 s" in result.reason


def test_noisy_but_flat_mix_is_steady_by_blocks() -> None:
    # a mix of fast and slow endpoints: ±10% jitter, no trend
    curve = [1000, 1100, 920, 1080, 950, 1050, 990, 1010]
    result = feed(PLAN, curve).result()
    assert result.converged
    assert result.warmup_s == 6
    assert result.steady_rps == pytest.approx(sum(curve[:6]) / 6)
    assert "two blocks of 3 windows" in result.reason


def test_slow_ramp_is_not_mistaken_for_noise() -> None:
    # +4% per window with jitter: blocks differ by > 5% while it still climbs
    curve = [1000 * 1.04**i * (1.06 if i % 2 else 0.94) for i in range(30)]
    result = feed(PLAN, curve).result()
    assert not result.converged


def test_never_steady_gives_up_at_max_time() -> None:
    curve = [1000, 1300] * 20
    result = feed(PLAN, curve).result()
    assert not result.converged
    assert result.warmup_s == 20
    assert len(result.windows_rps) == 20
    assert "not steady after warmup_max_s = 20 s" in result.reason
    assert "differ by" in result.reason


def test_dead_server_is_not_steady() -> None:
    result = feed(PLAN, [0.0] * 30).result()
    assert not result.converged
    assert "no request completed" in result.reason


def test_tracker_guards() -> None:
    tracker = WarmupTracker(PLAN)
    with pytest.raises(RuntimeError, match="not over"):
        tracker.result()
    feed_done = feed(PLAN, [5, 5, 5])
    with pytest.raises(RuntimeError, match="already over"):
        feed_done.add(5, 1)


class FakeGenerator:
    """Answers phases from a throughput curve."""

    def __init__(self, curve: list[float]) -> None:
        self.curve = curve
        self.specs: list[PhaseSpec] = []

    def run_phase(self, spec: PhaseSpec) -> PhaseLoad:
        rps = self.curve[len(self.specs)]
        self.specs.append(spec)
        n = round(rps * spec.duration_s)
        return PhaseLoad(
            name=spec.name,
            kind=spec.kind,
            target_rate=spec.rate,
            users=spec.users or 4,
            generator_processes=1,
            started_at=float(len(self.specs)),
            duration_s=spec.duration_s,
            requests=n,
            failures=0,
            throughput_rps=n / spec.duration_s,
            latency=LatencyHistogram().summary(),
            endpoints=[],
            failure_reasons=[],
            series=[],
            generator_cpu=[0.5],
            start_lag_s=0.0,
            histogram=LatencyHistogram().to_data(),
        )


def test_run_warmup_drives_closed_loop_windows() -> None:
    gen = FakeGenerator([500, 900, 1000, 1000, 1000, 1000])
    result, phases = run_warmup(gen, PLAN, users=8)
    assert result.converged
    assert [p.name for p in phases] == ["warmup-1", "warmup-2", "warmup-3", "warmup-4", "warmup-5"]
    assert all(s.kind == "warmup" and s.rate is None and s.users == 8 for s in gen.specs)
    assert all(s.duration_s == PLAN.warmup_window_s for s in gen.specs)


def _warm(rps: float) -> WarmupResult:
    return WarmupResult(converged=True, warmup_s=3, windows_rps=[rps], steady_rps=rps, reason="")


def test_steady_rates_and_search_start() -> None:
    plan = LoadPlan(steady_fractions=[0.25, 0.5], search_start_fraction=0.6)
    assert steady_rates(plan, _warm(1000)) == [250, 500]
    assert search_start_rate(plan, _warm(1000)) == pytest.approx(600)
    assert steady_rates(plan.model_copy(update={"steady_rates": [42.0]}), _warm(1000)) == [42.0]
    assert steady_rates(plan, _warm(0)) == []
    assert search_start_rate(plan, _warm(0)) is None


def test_with_cpu_costs_steadiness_is_judged_on_them_not_on_throughput() -> None:
    # other load on the machine makes throughput jump; CPU per request stays put
    tracker = WarmupTracker(PLAN)
    rps = [1000, 600, 1100, 700, 1050]
    for r in rps:
        if tracker.add(r, 1.0, 0.002):
            break
    result = tracker.result()
    assert result.converged
    assert result.warmup_s == 3
    assert result.windows_cpu_ms == pytest.approx([2.0, 2.0, 2.0])
    assert "CPU per request" in result.reason
    assert result.steady_rps == pytest.approx((1000 + 600 + 1100) / 3)  # still throughput


def test_a_jit_getting_cheaper_is_not_steady_while_its_throughput_is_noisy() -> None:
    # CPU per request falls 4% a window: a JIT compiling; throughput hides it in noise (a
    # JIT's warm-up is judged at half the scenario's tolerance: 5% of quick's 10%)
    plan = PLAN.model_copy(update={"warmup_tolerance": 0.05, "warmup_max_s": 8})
    tracker = WarmupTracker(plan)
    for i, r in enumerate([900, 1000, 950, 1000, 960, 990, 1000, 980]):
        if tracker.add(r, 1.0, 0.005 * 0.96**i):
            break
    result = tracker.result()
    assert not result.converged
    assert "CPU per request still differ" in result.reason
