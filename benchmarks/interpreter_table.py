"""The measured interpreter comparison of docs/interpreters.md, from the stores written by
benchmarks/interpreters.toml and benchmarks/freethreading.toml:

    R=benchmarks/results
    .venv/bin/estimator run benchmarks/interpreters.toml --results $R/interpreters.sqlite
    .venv/bin/estimator run benchmarks/freethreading.toml --results $R/freethreading.sqlite
    .venv/bin/python -m benchmarks.interpreter_table [--peak-rps 500]

For each endpoint × variant: capacity per CPU and CPU-ms per request (mean and 95% CI over the
windows: closed-loop cost windows measured in rounds beside the other variants), private
memory per worker, what the workers reported running (GIL, JIT, CinderX), and the monthly
cost at one traffic level (cheapest EC2 option, us-east-1 on-demand, burstable types
excluded). Failed variants are listed with their reason.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from estimator.estimate import EstimateRequest, estimate, load_request_catalog, profile_traffic
from estimator.measure import RunResult
from estimator.money import cents
from estimator.stats import Estimate
from estimator.store.runs import Store
from estimator.store.summarize import summarize

RESULTS = Path(__file__).parent / "results"


def _ci(e: Estimate, scale: float = 1.0, digits: int = 0) -> str:
    if e.n < 2:
        return f"{e.mean * scale:,.{digits}f} (n=1)"
    return (
        f"{e.mean * scale:,.{digits}f} [{e.ci_low * scale:,.{digits}f}–"
        f"{e.ci_high * scale:,.{digits}f}]"
    )


def _ran(runs: list[RunResult]) -> str:
    """What the workers said they ran (the hook's exit records), e.g. 'GIL off, JIT on'."""
    facts = [f for r in runs for f in r.worker_facts if f.event == "exit"] or [
        f for r in runs for f in r.worker_facts
    ]
    if not facts:
        return "no report"
    parts = []
    gil = {f.gil_enabled for f in facts}
    parts.append("GIL " + ("on" if gil == {True} else "off" if gil == {False} else "mixed"))
    jit = {bool(f.jit_enabled) for f in facts}
    parts.append("JIT " + ("on" if jit == {True} else "off" if jit == {False} else "mixed"))
    if any(f.cinderx_requested for f in facts):
        active = {f.cinderx_active for f in facts}
        parts.append("CinderX " + ("active" if active == {True} else "inactive"))
    return ", ".join(parts)


def table(store_path: Path, peak_rps: float) -> None:
    with Store(store_path, create=False) as store:
        runs = store.results(status=None)
    ok = [r for r in runs if r.status == "ok"]
    failed: dict[str, list[RunResult]] = defaultdict(list)
    for r in runs:
        if r.status == "failed":
            failed[r.config_key].append(r)
    summaries = summarize(ok)
    request = EstimateRequest(
        traffic=profile_traffic(peak_rps, "flat"), region="us-east-1", include_serverless=False
    )
    report = estimate(summaries, load_request_catalog(request), request)
    cost = {c.key: c for c in report.configurations}
    by_key: dict[str, list[RunResult]] = defaultdict(list)
    for r in ok:
        by_key[r.config_key].append(r)
    base = {
        s.app: cost[s.key].best
        for s in summaries.summaries
        if s.variant == "cpython-3.11" and s.key in cost and cost[s.key].best
    }
    print(
        f"| endpoint | variant | server | capacity req/s (1 CPU) | CPU ms/request (closed loop) | "
        f"CPU ms/request (at capacity) | USS MiB/worker | workers ran | "
        f"$/month at {peak_rps:g} req/s | vs 3.11 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries.summaries:
        c = cost.get(s.key)
        best = c.best if c else None
        money = (
            f"${cents(best.monthly_usd):,} ({best.peak_instances} × {best.instance_type})"
            if best
            else "not priced"
        )
        ref = base.get(s.app)
        versus = f"{(best.monthly_usd / ref.monthly_usd - 1) * 100:+.0f}%" if best and ref else ""
        bound = "≥ " if s.capacity_is_lower_bound else ""
        at_cap = s.cpu_s_per_request_at_capacity
        print(
            f"| {s.app} | {s.variant} | {s.server.label} | {bound}{_ci(s.capacity_rps)} | "
            f"{_ci(s.cpu_s_per_request, 1000, 2)} | "
            f"{_ci(at_cap, 1000, 2) if at_cap else '-'} | "
            f"{_ci(s.worker_uss_mb, 1, 1)} | {_ran(by_key[s.key])} | {money} | {versus} |"
        )
    for e in summaries.excluded:
        print(f"| {e.key} | excluded: {e.reason} |")
    for key, rs in sorted(failed.items()):
        reason = (rs[0].failure or "?").replace("|", "/")
        print(f"| {key} | **failed** ({len(rs)}×, {rs[0].failure_stage}): {reason[:200]} |")
    print()
    print(
        f"Costs: {report.pricing.source}, catalog {report.pricing.snapshot_date}, us-east-1 "
        f"on-demand, flat {peak_rps:g} req/s, "
        f"autoscaled fleet, burstable excluded, default assumptions (docs/model.md)."
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peak-rps", type=float, default=500.0)
    args = parser.parse_args()
    for name in ("interpreters", "freethreading"):
        path = RESULTS / f"{name}.sqlite"
        if path.exists():
            print(f"### {name}\n")
            table(path, args.peak_rps)
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
