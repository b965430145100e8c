"""The words around the numbers: each app's headline, and how the figures are computed."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.capacity import awslambda, fargate
from estimator.estimate.models import ConfigEstimate, Headline, Saving
from estimator.estimate.ranking import TIE_BREAKERS
from estimator.estimate.request import EstimateRequest
from estimator.money import HOURS_PER_MONTH, cents


def saving_text(saving: Saving | None, key: str) -> str:
    if saving is None:
        return "no saving computed (the baseline is not priced)"
    if saving.baseline_key == key:
        return "this is the baseline"
    pct = f"{abs(saving.pct):.1f}%"
    if saving.usd > 0:
        return f"saves ${cents(saving.usd):,}/month ({pct}) vs the baseline {saving.baseline_key}"
    if saving.usd < 0:
        return (
            f"costs ${cents(-saving.usd):,}/month ({pct}) more than the baseline "
            f"{saving.baseline_key}"
        )
    return f"costs the same as the baseline {saving.baseline_key}"


def headlines(configs: Sequence[ConfigEstimate], request: EstimateRequest) -> list[Headline]:
    """Per app, its rank-1 configuration."""
    out = []
    for c in configs:
        best = c.best
        if c.rank != 1 or best is None:
            continue
        bound = "at most " if best.lower_bound else ""
        text = (
            f"{c.app}: cheapest is {c.key} on {best.peak_instances} × {best.instance_type} "
            f"({request.region}, {request.purchase}), {bound}${cents(best.monthly_usd):,}/month "
            f"{request.fleet} (${cents(best.usd_per_million_requests):,} per million requests); "
            f"{saving_text(c.saving, c.key)}"
        )
        out.append(
            Headline(
                app=c.app,
                key=c.key,
                instance_type=best.instance_type,
                peak_instances=best.peak_instances,
                monthly_usd=best.monthly_usd,
                usd_per_million_requests=best.usd_per_million_requests,
                lower_bound=best.lower_bound,
                saving=c.saving,
                text=text,
            )
        )
    return out


def method_notes(request: EstimateRequest) -> list[str]:
    ties = "; ".join(t.description for t in TIE_BREAKERS)
    out = [
        f"$/month = instance-hours × $/hour, a month = {HOURS_PER_MONTH} h; money is exact "
        "(Decimal) and rounded to cents for display only",
        "capacity per instance: the least of the CPU, concurrency and memory limits at the "
        "planned utilisation, from the measured CPU per request, latency, memory and "
        "SLO-limited throughput (docs/model.md); its range comes from the inputs' 95% CIs",
        "instances per hour = max(min_instances, ceil(req/s ÷ capacity)) + redundancy; "
        "a fixed fleet runs the peak count all month, an autoscaled one follows the hours "
        f"(scaling lag and warm-up not modelled); ranked by the {request.fleet} cost",
        "left out per configuration: types where one worker does not fit in memory, and types "
        "where the predicted p95 at low load (service time on the target × measured p95/mean) "
        "misses the SLO",
        "ranked within each app (different apps are different workloads, not alternatives) by "
        f"$/month to the cent; equal costs ordered by {ties}, then name",
        "'up to' costs use the low end of the capacity range; 'at most' marks a cost whose "
        "capacity is a lower bound (the measurement did not reach the limit)",
        "Fargate: cheapest valid task size meeting the SLO, vCPU-hours and GB-hours × the "
        "region's prices; Lambda: requests × request price + GB-seconds × duration price "
        "(first tier, no free tier)",
        "not included: data transfer, load balancers, storage, NAT, support plans, taxes",
    ]
    if request.include_serverless:
        out += [f"Fargate, not modelled: {n}" for n in fargate.NOT_MODELLED]
        out += [f"Lambda, not modelled: {n}" for n in awslambda.NOT_MODELLED]
    return out
