"""One configuration's open-loop windows, one per round: what comes next and what they found.

In order: single-user probes (the service time S without queueing) alternating with the
steady windows (p95 at low load: `steady_fractions` of the closed-loop throughput, or
`steady_rates`), then the capacity search's steps (`CapacitySearch`, starting at
`search_start_fraction` of the closed-loop throughput; a steady rate that met the SLO counts as
a capacity found). The closed-loop throughput is the
configuration's own (its cost windows so far), so the rates follow from what was measured.
Rates are fixed when first used: every window of one steady rate runs at the same rate.
"""

from __future__ import annotations

from pydantic import Field

from estimator._model import Model
from estimator.load import CapacityResult, PhaseSpec, StepOutcome
from estimator.load.search import CapacitySearch
from estimator.measure.models import PhaseResult
from estimator.scenario import LoadPlan, Slo


class LatencyWindow(Model):
    spec: PhaseSpec
    steady_index: int | None = Field(None, description="which steady rate (0-based)")


class LatencyQueue:
    def __init__(self, plan: LoadPlan, slo: Slo) -> None:
        self.plan = plan
        self.slo = slo
        self.probes_left = plan.probe_windows if plan.service_probe_s > 0 else 0
        n_rates = len(plan.steady_rates) or len(plan.steady_fractions)
        self.steady_left = [plan.steady_windows] * n_rates
        self.steady_rate: list[float | None] = [None] * n_rates
        self.steady_done = [0] * n_rates
        self.search: CapacitySearch | None = None
        self.steady_outcomes: list[StepOutcome] = []
        self._turn = 0
        self._count = 0

    @property
    def done(self) -> bool:
        return (
            self.probes_left == 0
            and not any(self.steady_left)
            and self.search is not None
            and self.search.done
        )

    def _steady_spec(
        self, closed_loop_rps: float, seed: int | None, *, unmeasured: bool = False
    ) -> LatencyWindow | None:
        for i, left in enumerate(self.steady_left):
            if not left or (unmeasured and self.steady_done[i]):
                continue
            if self.steady_rate[i] is None:
                rate = (
                    self.plan.steady_rates[i]
                    if self.plan.steady_rates
                    else self.plan.steady_fractions[i] * closed_loop_rps
                )
                if rate <= 0:
                    self.steady_left[i] = 0
                    continue
                self.steady_rate[i] = rate
            done = self.plan.steady_windows - left + 1
            spec = PhaseSpec(
                name=f"steady-{i + 1}-{done}",
                kind="steady",
                duration_s=self.plan.steady_duration_s,
                rate=self.steady_rate[i],
                arrivals=self.plan.arrivals,
                seed=seed,
                users=self.plan.users,
            )
            return LatencyWindow(spec=spec, steady_index=i)
        return None

    def _probe_spec(self, seed: int | None) -> LatencyWindow:
        done = self.plan.probe_windows - self.probes_left + 1
        spec = PhaseSpec(
            name=f"probe-{done}",
            kind="probe",
            duration_s=self.plan.service_probe_s,
            users=1,
            seed=seed,
        )
        return LatencyWindow(spec=spec)

    @property
    def has_minimum(self) -> bool:
        """Enough for a usable summary: a probe (when planned), every steady rate once, and a
        capacity-search step."""
        probed = self.probes_left < self.plan.probe_windows or not self._probes_planned
        steady = all(
            d or not left for d, left in zip(self.steady_done, self.steady_left, strict=True)
        )
        searched = self.search is not None and (bool(self.search.steps) or self.search.done)
        return probed and steady and searched

    @property
    def _probes_planned(self) -> bool:
        return self.plan.service_probe_s > 0

    def next_window(
        self, closed_loop_rps: float, seed: int | None, *, minimum: bool = False
    ) -> LatencyWindow | None:
        """The next open-loop window (None: nothing left). `minimum`: only what `has_minimum`
        still lacks (the time budget is spent)."""
        if closed_loop_rps <= 0:
            return None
        if minimum:
            if self.has_minimum:
                return None
            if self.probes_left == self.plan.probe_windows and self._probes_planned:
                return self._probe_spec(seed)
            window = self._steady_spec(closed_loop_rps, seed, unmeasured=True)
            if window is not None:
                return window
            self.probes_left = 0  # the rest of the probes and steady windows are skipped
            self.steady_left = [0] * len(self.steady_left)
        self._turn += 1
        steady = any(self.steady_left)
        if self.probes_left and (self._turn % 2 == 1 or not steady):
            return self._probe_spec(seed)
        if steady:
            window = self._steady_spec(closed_loop_rps, seed)
            if window is not None:
                return window
        if self.probes_left:
            return self._probe_spec(seed)
        if self.search is None:
            self.search = CapacitySearch(
                self.plan.search_start_fraction * closed_loop_rps,
                self.plan,
                self.slo,
                prior=self.steady_outcomes,
            )
        if self.search.done:
            return None
        self._count += 1
        spec = PhaseSpec(
            name=f"step-{self._count}",
            kind="step",
            duration_s=self.plan.step_duration_s,
            rate=self.search.next_rate(),
            arrivals=self.plan.arrivals,
            seed=seed,
            users=self.plan.users,
        )
        return LatencyWindow(spec=spec)

    def record(self, window: LatencyWindow, result: PhaseResult) -> None:
        kind = window.spec.kind
        if kind == "probe":
            self.probes_left = max(0, self.probes_left - 1)
        elif kind == "steady" and window.steady_index is not None:
            self.steady_left[window.steady_index] -= 1
            self.steady_done[window.steady_index] += 1
            if result.load.target_rate is not None:
                self.steady_outcomes.append(
                    StepOutcome.from_phase(result.load, generator_bound=result.generator_bound)
                )
        elif kind == "step" and self.search is not None:
            self.search.record(
                StepOutcome.from_phase(result.load, generator_bound=result.generator_bound)
            )

    def capacity(self) -> CapacityResult | None:
        """The search's result so far (None: it never started)."""
        return self.search.result() if self.search is not None else None
