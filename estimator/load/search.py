"""Capacity search: the highest request rate the server sustains within the SLO.

`search_capacity(run_step, start_rate, plan, slo)` runs steps at rising target rates
(`start_rate`, then × `plan.search_step_factor` each time) via `run_step(rate)` and stops at
the first of:
- **errors**: the step's error rate exceeds `slo.max_error_rate`;
- **slo_p95**: the step's p95 latency exceeds `slo.p95_ms`;
- **generator_bound**: the load generator was ≥ 90% busy (judged by the caller, from the
  sampler): the server wasn't the limit, so the result is only a lower bound;
- **plateau**: throughput stopped rising: achieved < `PLATEAU_FRACTION` (90%) of target;
- **max_steps**: `plan.search_max_steps` steps all passed: also only a lower bound.
If the very first step already fails the SLO, the search steps *down* (÷ factor) until a step
passes (or the steps run out: `no_step_met_slo`).

The capacity is the highest *achieved* throughput among steps that met the SLO (errors and
p95), with that step's p95. `lower_bound=True` means "the server can do at least this".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.load.models import PhaseLoad
from estimator.scenario import LoadPlan, Slo

PLATEAU_FRACTION = 0.90

StopReason = Literal[
    "errors", "slo_p95", "generator_bound", "plateau", "max_steps", "no_step_met_slo"
]


LOWER_BOUND_WHY: dict[str, str] = {
    "generator_bound": "the load generator saturated before the server (re-measure with more "
    "generator CPU)",
    "max_steps": "every capacity-search step met the SLO (raise search_max_steps or "
    "search_start_fraction to find the limit)",
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


def search_capacity(
    run_step: Callable[[float], StepOutcome], start_rate: float, plan: LoadPlan, slo: Slo
) -> CapacityResult:
    if start_rate <= 0:
        raise ValueError(f"start_rate = {start_rate} must be positive")
    factor = plan.search_step_factor
    rate = start_rate
    steps: list[StepOutcome] = []
    best: StepOutcome | None = None
    first_failure: tuple[StopReason, str] | None = None  # set when stepping down
    reason: StopReason = "max_steps"
    detail = ""
    lower_bound = False
    for _ in range(plan.search_max_steps):
        step = run_step(rate)
        steps.append(step)
        passed = step.meets(slo)
        if passed and (best is None or step.achieved_rps > best.achieved_rps):
            best = step
        if step.generator_bound:
            reason, lower_bound = "generator_bound", True
            detail = (
                f"the load generator was ≥ 90% busy at {step.target_rps:.0f} req/s target "
                f"({step.achieved_rps:.0f} achieved): the server can do at least this much"
            )
            break
        if not passed:
            if best is None:  # the first step(s) already fail: step down
                first_failure = first_failure or _failure(step, slo)
                rate /= factor
                continue
            reason, detail = _failure(step, slo)
            break
        if first_failure is not None:  # stepped down to a passing rate
            reason, detail = first_failure
            detail += f"; stepped down to {step.target_rps:.0f} req/s, which met the SLO"
            break
        if not step.kept_up:
            reason = "plateau"
            detail = (
                f"throughput stopped rising: {step.achieved_rps:.0f} req/s achieved of "
                f"{step.target_rps:.0f} targeted (< {PLATEAU_FRACTION:.0%})"
            )
            break
        rate *= factor
    else:
        if best is None:
            reason = "no_step_met_slo"
            detail = f"no step met the SLO in {plan.search_max_steps} steps, down to " + (
                f"{steps[-1].target_rps:.0f} req/s"
            )
        else:
            reason, lower_bound = "max_steps", True
            detail = (
                f"every one of the {plan.search_max_steps} steps met the SLO; raise "
                "search_max_steps or search_start_fraction to find the limit"
            )
    return CapacityResult(
        capacity_rps=best.achieved_rps if best else None,
        p95_ms=best.p95_ms if best else None,
        error_rate=best.error_rate if best else None,
        lower_bound=lower_bound,
        stop_reason=reason,
        detail=detail,
        steps=steps,
    )
