"""Warm-up: load until throughput is steady, and say how long that took.

The server is loaded closed-loop in consecutive windows of `plan.warmup_window_s`. Each window
gives its throughput and, when the caller reads the server's CPU (the measure stage does), its
CPU per request; steadiness is then judged on requests per CPU-second, which other processes
competing for the server's CPU do not move (throughput they do). It is *steady* once at least
`plan.warmup_min_s` have passed and either
- the last `WINDOWS` (3) windows' values agree within `plan.warmup_tolerance`
  ((max − min) ≤ tolerance × mean), or
- (noisy but flat: a mix of fast and slow endpoints makes short windows jitter by more than
  the tolerance even on a warm server) the means of the last two blocks of 3 windows agree
  within the tolerance: no trend left, only noise.
A JIT (PyPy, CPython's JIT) keeps speeding up for a while, so its windows and its blocks
disagree longer: we detect that rather than guess a duration. At `plan.warmup_max_s` we stop
anyway and report `converged=False`, so a run never hangs on a server that won't settle; the
result says so.

`WarmupTracker` is the pure decision (tested with synthetic curves); `run_warmup` drives a
`LoadGenerator` with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from pydantic import Field

from estimator._model import Model
from estimator.load.models import PhaseLoad, PhaseSpec
from estimator.scenario import LoadPlan

WINDOWS = 3


class WarmupResult(Model):
    converged: bool = Field(description="the judged series became steady before warmup_max_s")
    warmup_s: float = Field(ge=0, description="load time until steady (or until given up)")
    windows_rps: list[float] = Field(description="throughput of each window, in order")
    windows_cpu_ms: list[float] | None = Field(
        None,
        description="CPU-ms per request of each window, when the caller measured it: then "
        "steadiness is judged on it (requests per CPU-second), which other load on the "
        "machine does not move, instead of on throughput",
    )
    steady_rps: float = Field(
        ge=0,
        description="mean throughput of the last 3 windows (6 when judged by blocks): "
        "the closed-loop peak",
    )
    reason: str = Field(description="why the warm-up ended, in words")


def is_steady(values: Sequence[float], tolerance: float) -> bool:
    """Do `values` agree within `tolerance` relative to their mean (and are they > 0)?"""
    if not values:
        return False
    mean = math.fsum(values) / len(values)
    return mean > 0 and (max(values) - min(values)) <= tolerance * mean


class WarmupTracker:
    """Feed it each window's throughput; it says when to stop and what was seen."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.windows: list[float] = []
        self.costs: list[float | None] = []
        self.elapsed_s = 0.0
        self._result: WarmupResult | None = None

    def _judged(self) -> list[float]:
        """What steadiness is judged on: requests per CPU-second when every window has its
        CPU cost, else throughput."""
        if self.costs and all(c is not None and c > 0 for c in self.costs):
            return [1.0 / c for c in self.costs if c is not None]
        return self.windows

    @property
    def done(self) -> bool:
        return self._result is not None

    def add(
        self, throughput_rps: float, duration_s: float, cpu_s_per_request: float | None = None
    ) -> bool:
        """Record one window (with its CPU cost when measured); True when the warm-up is over."""
        if self._result is not None:
            raise RuntimeError("the warm-up is already over")
        self.windows.append(throughput_rps)
        self.costs.append(cpu_s_per_request)
        self.elapsed_s += duration_s
        judged = self._judged()
        last = judged[-WINDOWS:]
        recent = self.windows[-WINDOWS:]
        steady_rps = math.fsum(recent) / len(recent)
        tol = self.plan.warmup_tolerance
        long_enough = self.elapsed_s >= self.plan.warmup_min_s - 1e-9
        what = "CPU per request" if judged is not self.windows else "throughput"
        if long_enough and len(last) == WINDOWS and is_steady(last, tol):
            self._result = self._finish(
                True,
                steady_rps,
                f"steady after {self.elapsed_s:.1f} s: the last {WINDOWS} windows' {what} "
                f"agree within {tol:.0%}",
            )
        elif long_enough and self._blocks_agree(judged, tol):
            block = self.windows[-2 * WINDOWS :]
            self._result = self._finish(
                True,
                math.fsum(block) / len(block),
                f"steady after {self.elapsed_s:.1f} s: windows jitter, but the means of the "
                f"last two blocks of {WINDOWS} windows' {what} agree within {tol:.0%}",
            )
        elif self.elapsed_s >= self.plan.warmup_max_s - 1e-9:
            mean = math.fsum(last) / len(last)
            spread = (max(last) - min(last)) / mean if mean > 0 else math.inf
            why = (
                "no request completed"
                if steady_rps == 0
                else f"the last windows' {what} still differ by {spread:.0%} (tolerance {tol:.0%})"
            )
            self._result = self._finish(
                False,
                steady_rps,
                f"not steady after warmup_max_s = {self.plan.warmup_max_s:g} s: {why}",
            )
        return self.done

    @staticmethod
    def _blocks_agree(values: list[float], tolerance: float) -> bool:
        if len(values) < 2 * WINDOWS:
            return False
        before = values[-2 * WINDOWS : -WINDOWS]
        last = values[-WINDOWS:]
        return is_steady([math.fsum(before) / WINDOWS, math.fsum(last) / WINDOWS], tolerance)

    def _finish(self, converged: bool, steady_rps: float, reason: str) -> WarmupResult:
        costs = [c for c in self.costs if c is not None]
        return WarmupResult(
            converged=converged,
            warmup_s=self.elapsed_s,
            windows_rps=list(self.windows),
            windows_cpu_ms=[c * 1000 for c in costs] if len(costs) == len(self.costs) else None,
            steady_rps=steady_rps,
            reason=reason,
        )

    def result(self) -> WarmupResult:
        if self._result is None:
            raise RuntimeError("the warm-up is not over yet; keep adding windows")
        return self._result


def steady_rates(plan: LoadPlan, warmup: WarmupResult) -> list[float]:
    """The steady-state rates: `plan.steady_rates` if given, else `plan.steady_fractions` of
    the warm-up's closed-loop peak (rates ≤ 0 are dropped: a dead server gets none)."""
    if plan.steady_rates:
        return list(plan.steady_rates)
    return [f * warmup.steady_rps for f in plan.steady_fractions if f * warmup.steady_rps > 0]


def search_start_rate(plan: LoadPlan, warmup: WarmupResult) -> float | None:
    """Where the capacity search starts: `plan.search_start_fraction` of the warm-up peak
    (None when the warm-up saw no throughput)."""
    rate = plan.search_start_fraction * warmup.steady_rps
    return rate if rate > 0 else None


class PhaseRunner(Protocol):
    def run_phase(self, spec: PhaseSpec) -> PhaseLoad: ...


def run_warmup(
    generator: PhaseRunner, plan: LoadPlan, *, users: int | None = None, prefix: str = "warmup"
) -> tuple[WarmupResult, list[PhaseLoad]]:
    """Closed-loop windows until `WarmupTracker` says stop. Returns the verdict and every
    window's `PhaseLoad` (named '<prefix>-1', '<prefix>-2', …)."""
    tracker = WarmupTracker(plan)
    phases: list[PhaseLoad] = []
    while not tracker.done:
        spec = PhaseSpec(
            name=f"{prefix}-{len(phases) + 1}",
            kind="warmup",
            duration_s=plan.warmup_window_s,
            users=users,
        )
        phase = generator.run_phase(spec)
        phases.append(phase)
        tracker.add(phase.throughput_rps, phase.duration_s)
    return tracker.result(), phases
