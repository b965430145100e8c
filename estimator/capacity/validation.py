"""Check the model against measurements it was not fitted on (issue 5, docs/model.md).

Fitted on one configuration (its D, S, and the SLO-limited utilisation its capacity search
found), predict the measured capacity of another run on the measuring host: another worker
count, a CPU quota, another server kind (e.g. sync vs gthread on an upstream-bound endpoint).
The prediction uses the held-out run's own placement (CPUs, quota, workers, slots) and the
fitted run's request costs; the planned utilisation is the fitted SLO-limited one, not the
target utilisation, because the measurement is a capacity at the SLO.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.inputs import MeasuredInputs
from estimator.capacity.limits import LimitName, Target, evaluate, slo_utilization
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary


class ValidationRow(Model):
    fitted_key: str
    held_out_key: str
    differs_in: str = Field(description="what the held-out run changes")
    predicted_rps: float
    measured_rps: Estimate
    error_pct: float = Field(description="(predicted − measured) ÷ measured × 100")
    within_ci: bool = Field(description="the prediction lies inside the measurement's 95% CI")
    binding: LimitName
    measured_lower_bound: bool = Field(description="held-out run generator-bound: compare ≥")
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
    fitted: ConfigSummary, held_out: ConfigSummary, assumptions: Assumptions | None = None
) -> ValidationRow:
    """The capacity the model predicts for `held_out`'s setup from `fitted`'s measurements."""
    a = assumptions or Assumptions()
    notes: list[str] = []
    if fitted.cpu_s_per_request_at_capacity is not None:
        # predicting a capacity at the SLO: the request cost at that load, not at the steady
        # rate (on many machines a request costs more CPU at low load: idle wake-ups)
        d_cap = fitted.cpu_s_per_request_at_capacity.mean * 1000
        notes.append(
            f"D at the fitted run's capacity step ({d_cap:.4g} ms) instead of at its steady "
            f"rate ({fitted.cpu_s_per_request.mean * 1000:.4g} ms)"
        )
        fitted = fitted.model_copy(
            update={"cpu_s_per_request": fitted.cpu_s_per_request_at_capacity}
        )
    fit_in = MeasuredInputs.from_summary(fitted)
    held_in = MeasuredInputs.from_summary(held_out)
    p = fit_in.point()
    rho = slo_utilization(fit_in, p, a)
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
    on_host = a.model_copy(
        update={
            "target_utilization": max(rho, 1e-9),
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
    ev = evaluate(probe, target, on_host, p)
    measured = held_out.capacity_rps
    error = (ev.capacity - measured.mean) / measured.mean * 100
    notes += [
        f"fitted D = {p.d * 1000:.4g} ms, S = {p.s_ms:.4g} ms, SLO-limited utilisation "
        f"{rho:.3g} from '{fitted.key}'",
        f"held-out placement: {held_in.workers} worker(s), "
        f"{held_in.slots_per_worker or 'async'} slot(s) each, {allot:g} CPU"
        + (f" (quota efficiency {eff:.3g})" if held_in.quota_cpus else ""),
    ]
    return ValidationRow(
        fitted_key=fitted.key,
        held_out_key=held_out.key,
        differs_in=_differences(fitted, held_out),
        predicted_rps=ev.capacity,
        measured_rps=measured,
        error_pct=error,
        within_ci=measured.ci_low <= ev.capacity <= measured.ci_high,
        binding=ev.binding,
        measured_lower_bound=held_out.capacity_is_lower_bound,
        notes=notes,
    )


def validation_table(
    fitted: ConfigSummary,
    held_out: Sequence[ConfigSummary],
    assumptions: Assumptions | None = None,
) -> list[ValidationRow]:
    return [predict_measured(fitted, h, assumptions) for h in held_out]
