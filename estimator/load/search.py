"""Capacity search: the highest request rate the server sustains within the SLO.

`CapacitySearch` takes the steps one at a time (the measurement spreads them over its
rounds); `search_capacity(run_step, start_rate, plan, slo)` runs them in one go. Steps go at
rising target rates (`start_rate`, then × `plan.search_step_factor` each time) and stop at the
first of:
- **errors**: the step's error rate exceeds `slo.max_error_rate`;
- **slo_p95**: the step's p95 latency exceeds `slo.p95_ms`;
- **generator_bound**: the load generator was ≥ 90% busy (judged by the caller, from the
  sampler): the server wasn't the limit, so the result is only a lower bound;
- **plateau**: throughput stopped rising: the server served < `PLATEAU_FRACTION` (90%) of
  what the arrival schedule offered in the window;
- **max_steps**: `plan.search_max_steps` steps all passed: also only a lower bound;
- **budget**: the caller stopped before the search ended (its time ran out): a lower bound.
If the very first step already fails the SLO, the search steps *down* (÷ factor) until a step
passes (or the steps run out: `no_step_met_slo`).

The capacity is the highest *achieved* throughput among steps that met the SLO (errors and
p95), with that step's p95. `lower_bound=True` means "the server can do at least this".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.load.models import PhaseLoad
from estimator.scenario import LoadPlan, Slo

PLATEAU_FRACTION = 0.90

StopReason = Literal[
    "errors", "slo_p95", "generator_bound", "plateau", "max_steps", "no_step_met_slo", "budget"
]


LOWER_BOUND_WHY: dict[str, str] = {
    "generator_bound": "the load generator saturated before the server (re-measure with more "
    "generator CPU)",
    "max_steps": "every capacity-search step met the SLO (raise search_max_steps or "
    "search_start_fraction to find the limit)",
    "budget": "the time budget ended before the capacity search found the limit (raise budget_s)",
}
"""Why a capacity is only a lower bound, by stop reason."""


def lower_bound_why(stop_reason: str) -> str:
    """`stop_reason` may be the repetitions' most common one; a lower bound needs only one."""
    return LOWER_BOUND_WHY.get(
        stop_reason, "a repetition's capacity search did not reach the server's limit"
    )


class StepOutcome(Model):
    """What one step achieved (the caller builds it from a `PhaseLoad` and the sampler)."""

    target_rps: float = Field(gt=0)
    achieved_rps: float = Field(ge=0)
    p95_ms: float | None = Field(description="None: no successful request")
    error_rate: float = Field(ge=0, le=1)
    requests: int = Field(ge=0)
    generator_bound: bool = Field(description="the load generator was the bottleneck")
    offered_rps: float | None = Field(
        None, description="what the arrival schedule offered (Poisson: varies around target)"
    )
    served_rps: float | None = Field(
        None,
        description="requests sent in the window and completed (inside it or while it "
        "drained), per second: compared with offered_rps",
    )

    @classmethod
    def from_phase(cls, phase: PhaseLoad, *, generator_bound: bool) -> StepOutcome:
        if phase.target_rate is None:
            raise ValueError(f"phase '{phase.name}' is closed-loop; a search step needs a rate")
        return cls(
            target_rps=phase.target_rate,
            achieved_rps=phase.throughput_rps,
            p95_ms=phase.latency.p95_ms,
            error_rate=phase.error_rate,
            requests=phase.requests,
            generator_bound=generator_bound,
            offered_rps=phase.offered_rps,
            served_rps=(phase.requests + phase.drained_requests) / phase.duration_s,
        )

    def meets(self, slo: Slo) -> bool:
        return (
            self.requests > 0
            and self.error_rate <= slo.max_error_rate
            and self.p95_ms is not None
            and self.p95_ms <= slo.p95_ms
        )

    @property
    def kept_up(self) -> bool:
        """The server served what was offered (requests completing after the window's end
        count: at a window's edge they are still in flight)."""
        if self.offered_rps is not None and self.served_rps is not None:
            return self.served_rps >= PLATEAU_FRACTION * self.offered_rps
        return self.achieved_rps >= PLATEAU_FRACTION * self.target_rps


class CapacityResult(Model):
    capacity_rps: float | None = Field(
        description="highest achieved throughput meeting the SLO; None if no step met it"
    )
    p95_ms: float | None = Field(description="p95 latency at that throughput")
    error_rate: float | None
    lower_bound: bool = Field(description="the server can do at least capacity_rps")
    stop_reason: StopReason
    detail: str = Field(description="why the search stopped, in words")
    steps: list[StepOutcome]


def _failure(step: StepOutcome, slo: Slo) -> tuple[StopReason, str]:
    where = f"at {step.target_rps:.0f} req/s target ({step.achieved_rps:.0f} achieved)"
    if step.requests == 0:
        return "errors", f"no request completed {where}"
    if step.error_rate > slo.max_error_rate:
        return "errors", (
            f"error rate {step.error_rate:.1%} > limit {slo.max_error_rate:.1%} {where}"
        )
    if step.p95_ms is None:
        return "errors", f"no request succeeded {where}"
    return "slo_p95", f"p95 {step.p95_ms:.1f} ms > SLO {slo.p95_ms:g} ms {where}"


class CapacitySearch:
    """The search one step at a time, so that its steps can be spread over rounds:
    `next_rate()`, run a window at that rate, `record(outcome)`, until `done`; `result()`
    at any point (cut short, e.g. by a time budget, it is a lower bound)."""

    def __init__(
        self, start_rate: float, plan: LoadPlan, slo: Slo, prior: Sequence[StepOutcome] = ()
    ) -> None:
        """`prior`: rates already measured at low load (the steady windows): the highest that
        met the SLO counts as a capacity found (so a first step that fails stops the search
        instead of stepping down below it)."""
        if start_rate <= 0:
            raise ValueError(f"start_rate = {start_rate} must be positive")
        self.plan = plan
        self.slo = slo
        self.rate = start_rate
        self.steps: list[StepOutcome] = []
        passing = [s for s in prior if s.meets(slo) and not s.generator_bound]
        self.best: StepOutcome | None = max(passing, key=lambda s: s.achieved_rps, default=None)
        self._first_failure: tuple[StopReason, str] | None = None  # set when stepping down
        self._stop: tuple[StopReason, str, bool] | None = None

    @property
    def done(self) -> bool:
        return self._stop is not None or len(self.steps) >= self.plan.search_max_steps

    def next_rate(self) -> float:
        if self.done:
            raise RuntimeError("the capacity search is over")
        return self.rate

    def record(self, step: StepOutcome) -> None:
        slo, factor = self.slo, self.plan.search_step_factor
        self.steps.append(step)
        passed = step.meets(slo)
        if passed and (self.best is None or step.achieved_rps > self.best.achieved_rps):
            self.best = step
        if step.generator_bound:
            self._stop = (
                "generator_bound",
                f"the load generator was ≥ 90% busy at {step.target_rps:.0f} req/s target "
                f"({step.achieved_rps:.0f} achieved): the server can do at least this much",
                True,
            )
        elif not passed:
            if self.best is None:  # the first step(s) already fail: step down
                self._first_failure = self._first_failure or _failure(step, slo)
                self.rate /= factor
            else:
                reason, detail = _failure(step, slo)
                self._stop = (reason, detail, False)
        elif self._first_failure is not None:  # stepped down to a passing rate
            reason, detail = self._first_failure
            detail += f"; stepped down to {step.target_rps:.0f} req/s, which met the SLO"
            self._stop = (reason, detail, False)
        elif not step.kept_up:
            offered = step.offered_rps or step.target_rps
            self._stop = (
                "plateau",
                f"throughput stopped rising: {step.served_rps or step.achieved_rps:.0f} req/s "
                f"served of {offered:.0f} offered (< {PLATEAU_FRACTION:.0%})",
                False,
            )
        else:
            self.rate *= factor

    def result(self) -> CapacityResult:
        best, steps = self.best, self.steps
        if self._stop is not None:
            reason, detail, lower_bound = self._stop
        elif len(steps) < self.plan.search_max_steps:
            reason, lower_bound = "budget", best is not None
            detail = (
                f"the time budget ended after {len(steps)} of at most "
                f"{self.plan.search_max_steps} capacity-search steps"
                + (", before a rate failed the SLO" if best is not None else "")
            )
        elif best is None:
            reason, lower_bound = "no_step_met_slo", False
            detail = f"no step met the SLO in {self.plan.search_max_steps} steps, down to " + (
                f"{steps[-1].target_rps:.0f} req/s"
            )
        else:
            reason, lower_bound = "max_steps", True
            detail = (
                f"every one of the {self.plan.search_max_steps} steps met the SLO; raise "
                "search_max_steps or search_start_fraction to find the limit"
            )
        return CapacityResult(
            capacity_rps=best.achieved_rps if best else None,
            p95_ms=best.p95_ms if best else None,
            error_rate=best.error_rate if best else None,
            lower_bound=lower_bound,
            stop_reason=reason,
            detail=detail,
            steps=list(steps),
        )


def search_capacity(
    run_step: Callable[[float], StepOutcome], start_rate: float, plan: LoadPlan, slo: Slo
) -> CapacityResult:
    """The whole search in one go (`CapacitySearch` step by step)."""
    search = CapacitySearch(start_rate, plan, slo)
    while not search.done:
        search.record(run_step(search.next_rate()))
    return search.result()
