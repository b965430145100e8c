"""Each app's headline (numbers), and how the figures are computed (method notes)."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.capacity import awslambda, fargate
from estimator.estimate.models import ConfigEstimate, Headline
from estimator.estimate.ranking import TIE_BREAKERS
from estimator.estimate.request import EstimateRequest
from estimator.estimate.ties import FAMILY_CONFIDENCE
from estimator.money import HOURS_PER_MONTH


def headlines(configs: Sequence[ConfigEstimate]) -> list[Headline]:
    """Per app, its rank-1 configuration and the others of its tie group (numbers only;
    `estimator.display` words them)."""
    out = []
    for c in configs:
        best = c.best
        if c.rank != 1 or best is None:
            continue
        tied = [
            o.key
            for o in configs
            if o.app == c.app and o.key != c.key and o.tie_group == c.tie_group
        ]
        out.append(
            Headline(
                app=c.app,
                key=c.key,
                instance_type=best.instance_type,
                peak_instances=best.peak_instances,
                monthly_usd=best.monthly_usd,
                usd_per_million_requests=best.usd_per_million_requests,
                lower_bound=best.lower_bound,
                monthly_usd_low=best.monthly_usd_low,
                monthly_usd_high=best.monthly_usd_high,
                peak_instances_low=best.peak_instances_low,
                peak_instances_high=best.peak_instances_high,
                tie_group=c.tie_group,
                tied_with=tied if c.tie_group is not None else [],
                saving=c.saving,
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
        "SLO-limited throughput (docs/model.md)",
        "intervals: capacity, instance counts, $/month and savings are the model evaluated at "
        "the ends of the measured inputs' 95% CIs (the model is monotone in each input); a "
        "CI reaching zero is taken to its limit, not replaced by the mean; with one "
        "repetition the interval is not known; whole instances make the $/month interval a "
        "step function of capacity (not smoothed), so it can be narrow where capacity is "
        "wide, and jump by a whole instance where it is not",
        "instances per hour = max(min_instances, ceil(req/s ÷ capacity)) + redundancy; "
        "a fixed fleet runs the peak count all month, an autoscaled one follows the hours "
        f"(scaling lag and warm-up not modelled); ranked by the {request.fleet} cost",
        "left out per configuration: types where one worker does not fit in memory, and types "
        "where the predicted p95 at low load (service time on the target × measured p95/mean) "
        "misses the SLO",
        "ranked within each app (different apps are different workloads, not alternatives) by "
        f"$/month at the means to the cent; equal costs ordered by {ties}, then name",
        "tied within noise: per app, each ranked configuration's $/month interval at its "
        f"inputs' CIs widened to 1 − {1 - FAMILY_CONFIDENCE:.2g} ÷ k (Bonferroni over the "
        "app's k configurations); configurations whose intervals overlap, directly or through "
        "others, form one tie group; different groups have disjoint intervals, and a "
        f"difference is claimed falsely with probability ≤ {1 - FAMILY_CONFIDENCE:.0%} per app",
        "'at most' marks a cost whose capacity is a lower bound (the measurement did not reach "
        "the limit), and a saving against such a baseline",
        "Fargate: cheapest valid task size meeting the SLO, vCPU-hours and GB-hours × the "
        "region's prices; Lambda: requests × request price + GB-seconds × duration price "
        "(first tier, no free tier)",
        "not included: data transfer, load balancers, storage, NAT, support plans, taxes",
    ]
    if request.include_serverless:
        out += [f"Fargate, not modelled: {n}" for n in fargate.NOT_MODELLED]
        out += [f"Lambda, not modelled: {n}" for n in awslambda.NOT_MODELLED]
    return out
