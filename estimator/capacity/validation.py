"""Check the model that prices against measurements it was not fitted on (docs/model.md).

Fitted on one configuration (its D, S, and the SLO-limited utilisation ρ_SLO its capacity
search found), predict the measured capacity of another run on the measuring host: another
worker count, a CPU quota, another server kind (e.g. sync vs gthread on an upstream-bound
endpoint). The prediction uses the held-out run's own placement (CPUs, quota, workers, slots)
and the fitted run's request costs, with the inputs pricing uses: D from the steady phase
(not at the capacity step, unless asked) and ρ_SLO uncapped (above 1 the fitted run's
measurements contradict each other, and the row says so).

Two figures per held-out run:
- predicted capacity at the SLO = ρ_SLO × the placement's limit at full utilisation, against
  the measured X_max (the error);
- planned rate = u × the same limit with u = min(target_utilization, ρ_SLO): what pricing
  plans an instance of that placement to serve. It must not exceed what the held-out run
  measured to meet the SLO (`planned_within_measured`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.errors import CapacityError
from estimator.capacity.inputs import MeasuredInputs
from estimator.capacity.limits import (
    LimitName,
    Target,
    contradiction,
    evaluate,
    host_limits,
    host_saturation,
    slo_utilization,
)
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary

DSource = Literal["cost windows", "steady", "capacity step"]


class ValidationRow(Model):
    fitted_key: str
    held_out_key: str
    differs_in: str = Field(description="what the held-out run changes")
    d_source: DSource = Field(description="where the fitted D comes from")
    slo_utilization: float = Field(description="ρ_SLO of the fitted run (uncapped)")
    predicted_rps: float = Field(description="capacity at the SLO: ρ_SLO × the limit at u = 1")
    measured_rps: Estimate
    error_pct: float = Field(description="(predicted − measured) ÷ measured × 100")
    within_ci: bool = Field(description="the prediction lies inside the measurement's 95% CI")
    planned_utilization: float = Field(description="u = min(target, ρ_SLO), as pricing plans")
    planned_rps: float = Field(description="u × the limit at u = 1: what pricing plans for")
    planned_within_measured: bool | None = Field(
        description="planned ≤ the low end of the measured capacity's 95% CI: the SLO held "
        "at the planned rate; None: can't tell (one measurement, or a CI reaching zero)"
    )
    binding: LimitName
    measured_lower_bound: bool = Field(description="held-out run generator-bound: compare ≥")
    arrivals: str | None = Field(description="the held-out run's arrival process, if recorded")
    notes: list[str]


def _differences(f: ConfigSummary, h: ConfigSummary) -> str:
    diffs = []
    if f.server.label != h.server.label:
        diffs.append(f"server {f.server.label} → {h.server.label}")
    if f.quota_cpus != h.quota_cpus:
        diffs.append(f"quota {f.quota_cpus or 'none'} → {h.quota_cpus or 'none'}")
    if f.server_cpus != h.server_cpus:
        diffs.append(f"CPUs {f.server_cpus} → {h.server_cpus}")
    if (f.app, f.variant) != (h.app, h.variant):
        diffs.append(f"{f.app}/{f.variant} → {h.app}/{h.variant}")
    return "; ".join(diffs) or "nothing (a repeat)"


def predict_measured(
    fitted: ConfigSummary,
    held_out: ConfigSummary,
    assumptions: Assumptions | None = None,
    *,
    d_source: DSource = "cost windows",
) -> ValidationRow:
    """The capacity the pricing model predicts for `held_out`'s setup from `fitted`'s
    measurements, and the rate it plans for there."""
    a = assumptions or Assumptions()
    notes: list[str] = []
    if d_source != "cost windows":
        other = (
            fitted.cpu_s_per_request_at_capacity
            if d_source == "capacity step"
            else fitted.cpu_s_per_request_steady
        )
        if other is None:
            raise CapacityError(f"'{fitted.key}' has no D at the {d_source}; use 'cost windows'")
        where = "lowest steady rate" if d_source == "steady" else d_source
        notes.append(
            f"D at the fitted run's {where} ({other.mean * 1000:.4g} ms) instead of its "
            f"cost windows' ({fitted.cpu_s_per_request.mean * 1000:.4g} ms), which pricing uses"
        )
        fitted = fitted.model_copy(update={"cpu_s_per_request": other})
    fit_in = MeasuredInputs.from_summary(fitted)
    held_in = MeasuredInputs.from_summary(held_out)
    p = fit_in.point()
    rho = slo_utilization(fit_in, p, a)
    if (why := contradiction(fit_in, p, a)) is not None:
        notes.append(f"contradiction: {why}")
    # The held-out run's placement and concurrency with the fitted run's request costs.
    probe = fit_in.model_copy(
        update={
            "workers": held_in.workers,
            "slots_per_worker": held_in.slots_per_worker,
            "is_async": held_in.is_async,
            "server_cpus": held_in.server_cpus,
            "quota_cpus": held_in.quota_cpus,
        }
    )
    allot = held_in.host_allotment
    eff = a.quota_curve.efficiency(allot) if held_in.quota_cpus else 1.0
    h = a.host_core_share(fit_in.host)
    full = a.model_copy(
        update={
            "target_utilization": 1.0,
            "slo_caps_utilization": False,
            "workers_rule": "fixed",
            "workers_fixed": held_in.workers,
            "memory_headroom": 0.0,
        }
    )
    target = Target(
        vcpus=float(held_in.server_cpus),
        cores=allot * h,
        quota_efficiency=eff,
        memory_mib=1e12,  # memory does not limit a run the host completed
        speed=1.0,
    )
    ev = evaluate(probe, target, full, p)  # every limit is linear in u: this is u = 1
    predicted = rho * ev.capacity
    planned_u = min(a.target_utilization, rho) if a.slo_caps_utilization else a.target_utilization
    planned = planned_u * ev.capacity
    measured = held_out.capacity_rps
    error = (predicted - measured.mean) / measured.mean * 100
    told = measured.n >= 2 and measured.ci_low > 0
    notes += [
        f"fitted D = {p.d * 1000:.4g} ms ({d_source}), S = {p.s_ms:.4g} ms, SLO-limited "
        f"utilisation {rho:.3g} from '{fitted.key}'",
        f"held-out placement: {held_in.workers} worker(s), "
        f"{held_in.slots_per_worker or 'async'} slot(s) each, {allot:g} CPU"
        + (f" (quota efficiency {eff:.3g})" if held_in.quota_cpus else ""),
        f"planned: u = {planned_u:.3g} × {ev.capacity:,.1f} req/s = {planned:,.1f} req/s",
    ]
    return ValidationRow(
        fitted_key=fitted.key,
        held_out_key=held_out.key,
        differs_in=_differences(fitted, held_out),
        d_source=d_source,
        slo_utilization=rho,
        predicted_rps=predicted,
        measured_rps=measured,
        error_pct=error,
        within_ci=measured.n >= 2 and measured.ci_low <= predicted <= measured.ci_high,
        planned_utilization=planned_u,
        planned_rps=planned,
        planned_within_measured=planned <= measured.ci_low if told else None,
        binding=ev.binding,
        measured_lower_bound=held_out.capacity_is_lower_bound,
        arrivals=held_out.arrivals,
        notes=notes,
    )


def validation_table(
    fitted: ConfigSummary,
    held_out: Sequence[ConfigSummary],
    assumptions: Assumptions | None = None,
    *,
    d_source: DSource = "cost windows",
) -> list[ValidationRow]:
    return [predict_measured(fitted, h, assumptions, d_source=d_source) for h in held_out]


class SaturationPrediction(Model):
    """What the model predicts a measured configuration serves at saturation on the measuring
    host (every slot offered work: the closed-loop cost windows), from its own D, S and the
    balance of its workers: min(CPU allotment ÷ D, W × f × slots per worker ÷ S)."""

    key: str
    workers: int
    slots_per_worker: int | None = Field(description="None: async (no slot limit)")
    busy_workers: Estimate | None = Field(description="measured effective busy workers")
    busy_fraction: float = Field(description="f = busy workers ÷ workers (1: not judged)")
    predicted_rps: float = Field(description="with the measured f")
    balanced_rps: float = Field(description="with f = 1: every worker taking its part")
    binding: LimitName
    uneven: bool = Field(
        description="the workers were unevenly used: the balanced figure is an extrapolation"
    )


def predict_saturation(
    summary: ConfigSummary, assumptions: Assumptions | None = None
) -> SaturationPrediction:
    """The model's saturation throughput for `summary`'s own placement (see the class)."""
    a = assumptions or Assumptions()
    inputs = MeasuredInputs.from_summary(summary)
    p = inputs.point()
    cpu_limit, workers_limit = host_limits(inputs, p, a)
    predicted = min(cpu_limit, workers_limit)
    balanced = host_saturation(inputs, p.model_copy(update={"busy": 1.0}), a)
    return SaturationPrediction(
        key=summary.key,
        workers=inputs.workers,
        slots_per_worker=inputs.slots_per_worker,
        busy_workers=inputs.busy_workers,
        busy_fraction=p.busy,
        predicted_rps=predicted,
        balanced_rps=balanced,
        binding="cpu" if cpu_limit <= predicted * (1 + 1e-9) else "concurrency",
        uneven=inputs.workers_uneven,
    )
