"""Stage: drive load with locust, measure what the server achieved.

Public API (used by `estimator.measure`):

- `load_generator(locustfile, host, *, cpus, run_dir, ...) -> Iterator[LoadGenerator]`:
  driver processes running locust in library mode (`generator`); `LoadGenerator.run_phase(
  PhaseSpec) -> PhaseLoad`, `.pids()` for the sampler, `.users_for(spec)`.
- Models (`models`): `PhaseSpec`, `PhaseLoad`, `LatencySummary`, `EndpointStats`,
  `SecondPoint`, `FailureCount`, `HistogramData`.
- Warm-up (`warmup`): `run_warmup(gen, plan) -> (WarmupResult, [PhaseLoad])`,
  `WarmupTracker` (the pure rule), `steady_rates(plan, warmup)`,
  `search_start_rate(plan, warmup)`.
- Capacity search (`search`): `CapacitySearch` one step at a time (`next_rate()`,
  `record(outcome)`, `result()`), or `search_capacity(run_step, start_rate, plan, slo) ->
  CapacityResult` in one go, with `run_step(rate) -> StepOutcome` supplied by the caller
  (`StepOutcome.from_phase(phase, generator_bound=window.generator_bound)`).
- Phases are open loop at a rate (`PhaseSpec.rate`, Poisson or even arrivals, seeded) or
  closed loop; each ends with a drain (requests in flight finish, counted apart).
- Users and rates (`pacing`): `users_for_rate`, `closed_loop_users`, `Pacer` (the arrival
  schedule).
- Fine latency histogram (`histogram`): `LatencyHistogram` (≤ 0.39% error, mergeable).

This package never imports locust in the calling process: locust monkey-patches with gevent
on import, so it only runs inside `python -m estimator.load.driver`.
"""

from estimator.load.generator import LoadGenerator, load_generator
from estimator.load.histogram import LatencyHistogram
from estimator.load.hosts import check_host
from estimator.load.models import (
    EndpointStats,
    FailureCount,
    HistogramData,
    LatencySummary,
    PhaseKind,
    PhaseLoad,
    PhaseSpec,
    SecondPoint,
)
from estimator.load.pacing import closed_loop_users, users_for_rate
from estimator.load.search import CapacityResult, StepOutcome, search_capacity
from estimator.load.warmup import (
    WarmupResult,
    WarmupTracker,
    run_warmup,
    search_start_rate,
    steady_rates,
)

__all__ = [
    "CapacityResult",
    "EndpointStats",
    "FailureCount",
    "HistogramData",
    "LatencyHistogram",
    "LatencySummary",
    "LoadGenerator",
    "PhaseKind",
    "PhaseLoad",
    "PhaseSpec",
    "SecondPoint",
    "StepOutcome",
    "WarmupResult",
    "WarmupTracker",
    "check_host",
    "closed_loop_users",
    "load_generator",
    "run_warmup",
    "search_capacity",
    "search_start_rate",
    "steady_rates",
    "users_for_rate",
]
