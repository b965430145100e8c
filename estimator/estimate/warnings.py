"""Report-level warnings: what a reader must know before trusting a comparison. Each names
the configurations it concerns; the full measurement warnings stay with each configuration."""

from __future__ import annotations

import re
from collections.abc import Sequence

from estimator.estimate.models import ConfigEstimate
from estimator.estimate.request import EstimateRequest
from estimator.load.search import lower_bound_why
from estimator.measure.balance import BUSY_SOURCE
from estimator.store.summary import ConfigSummary

_MISMATCH = re.compile(r"^pid \d+ \(|no process reported its facts")
_QUOTA = "was NOT applied"


def _keys(keys: Sequence[str]) -> str:
    return "; ".join(keys)


def _busy(s: ConfigSummary) -> str:
    e = s.effective_workers
    return f"{e.mean:.1f} of {s.workers} busy" if e is not None else f"of {s.workers}"


def report_warnings(
    summaries: Sequence[ConfigSummary],
    configs: Sequence[ConfigEstimate],
    request: EstimateRequest,
) -> list[str]:
    out: list[str] = []
    upper = {c.key for c in configs if c.best is not None and c.best.lower_bound}
    reasons: dict[str, list[str]] = {}
    for s in summaries:
        if s.key in upper:
            reasons.setdefault(lower_bound_why(s.capacity_stop_reason), []).append(s.key)
    for why, keys in reasons.items():
        out.append(
            f"cost is an upper bound for {len(keys)} configuration(s): their measured capacity "
            f"is a lower bound because {why}: {_keys(keys)}"
        )
    cpython = [s for s in summaries if s.variant.startswith("cpython")]
    opt = sorted({s.variant for s in cpython if s.build_optimized})
    plain = sorted({s.variant for s in cpython if s.build_optimized is False})
    if opt and plain:
        out.append(
            f"interpreter builds differ: {', '.join(opt)} are PGO+LTO builds, "
            f"{', '.join(plain)} are not; part of any difference between them is the build"
        )
    mismatched = [s.key for s in summaries if any(_MISMATCH.search(w) for w in s.warnings)]
    if mismatched:
        out.append(
            "what the workers ran differs from the variant asked for (see each configuration's "
            f"warnings); their figures may not be the named interpreter's: {_keys(mismatched)}"
        )
    quota = [s.key for s in summaries if any(_QUOTA in w for w in s.warnings)]
    if quota:
        out.append(f"a CPU quota asked for was not applied: {_keys(quota)}")
    hosts = {s.host.model_dump_json() for s in summaries}
    if len(hosts) > 1:
        out.append(
            f"measured on {len(hosts)} different hosts: comparisons across them include the "
            "machines' difference"
        )
    slos = sorted({s.slo_p95_ms for s in summaries})
    if len(slos) > 1:
        shown = ", ".join(f"{x:g} ms" for x in slos)
        out.append(
            f"configurations were measured against different p95 SLOs ({shown}); their "
            "capacities are not like for like"
        )
    noisy_p95 = [s.key for s in summaries if s.p95_steady_ms.mean > s.slo_p95_ms]
    if noisy_p95:
        out.append(
            "p95 at low load was over the SLO while the capacity search met it (noisy "
            f"measurements; re-measure on a quiet machine): {_keys(noisy_p95)}"
        )
    contradictory = [c.key for c in configs if c.slo_utilization and c.slo_utilization > 1]
    if contradictory:
        out.append(
            "measured capacity above what the measured CPU per request and service time allow "
            "(ρ_SLO > 1, see each configuration's notes): the measurements contradict each "
            f"other; planned at the target utilisation, re-measure: {_keys(contradictory)}"
        )
    uneven = [f"{s.key} ({_busy(s)})" for s in summaries if s.workers_uneven]
    if uneven:
        out.append(
            f"workers unevenly used (effective busy workers from {BUSY_SOURCE}): their "
            "capacity counts the busy workers as measured, and a balanced figure would be an "
            f"extrapolation; see each configuration's warnings for what to try: {_keys(uneven)}"
        )
    unranked = [f"{c.key} ({c.not_ranked_reason})" for c in configs if c.not_ranked_reason]
    if unranked:
        out.append(f"not ranked (shown with their reason): {_keys(unranked)}")
    single = [s.key for s in summaries if s.capacity_rps.n < 2]
    if single:
        out.append(
            "one measurement only (no confidence interval; capacity spreads are not known): "
            + _keys(single)
        )
    if request.purchase == "spot" and request.include_serverless:
        out.append("Fargate and Lambda are priced on-demand (Fargate Spot is not in the catalog)")
    apps = sorted({c.app for c in configs})
    for app in apps:
        if all(c.best is None for c in configs if c.app == app):
            out.append(
                f"no configuration of {app} could be priced (see each one's reason); widen the "
                "instance filters or check its memory figures"
            )
    noisy = [c.key for c in configs if c.warnings]
    if noisy:
        out.append(
            f"{len(noisy)} configuration(s) carry measurement warnings, listed with each "
            "(warm-up, builds, generator saturation)"
        )
    return out
