"""Check the capacity model that prices against runs it was not fitted on (docs/model.md,
"Validation against measurements").

Runs the scenarios in benchmarks/validation/ (resuming: finished cells are kept) into
benchmarks/results/validation[-ARRIVALS].sqlite, then, fitted on one configuration, predicts
the measured capacity of the held-out ones with the inputs pricing uses (cost-window D,
ρ_SLO uncapped) and reports the rate pricing plans for there (u = min(target, ρ_SLO)):
- /compute (CPU-bound), fitted on gunicorn sync w1: sync w2 (another worker count), and sync w1
  inside a 0.5 and a 0.25 CPU quota;
- /upstream (a 50 ms wait), fitted on sync w1: sync w2 and gthread w1x4 (Little's law).

    .venv/bin/python -m benchmarks.model_validation --arrivals poisson   # measure + table
    .venv/bin/python -m benchmarks.model_validation --arrivals poisson --no-run
    .venv/bin/python -m benchmarks.model_validation --d-source "capacity step"  # old variant

`--arrivals` writes each scenario with `[load] arrivals = "..."` (the scenario field of the
measurement protocol) into benchmarks/results/scenarios/ and measures those; without it the
scenarios run as written. Prints Markdown tables for docs/model.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from estimator.capacity import DEFAULT_QUOTA_CURVE, Assumptions, predict_measured
from estimator.capacity.validation import DSource
from estimator.measure import RunResult
from estimator.scenario.models import LoadPlan
from estimator.stats import Estimate
from estimator.store.runs import Store
from estimator.store.summarize import summarize

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SCENARIOS = ["compute", "compute-quota-0.5", "compute-quota-0.25", "upstream"]
V = "cpython-3.12"
PAIRS = [
    (f"flask-compute | {V} | gunicorn-sync w1", f"flask-compute | {V} | gunicorn-sync w2"),
    (
        f"flask-compute | {V} | gunicorn-sync w1",
        f"flask-compute | {V} | gunicorn-sync w1 | quota 0.5",
    ),
    (
        f"flask-compute | {V} | gunicorn-sync w1",
        f"flask-compute | {V} | gunicorn-sync w1 | quota 0.25",
    ),
    (f"flask-upstream | {V} | gunicorn-sync w1", f"flask-upstream | {V} | gunicorn-sync w2"),
    (f"flask-upstream | {V} | gunicorn-sync w1", f"flask-upstream | {V} | gunicorn-gthread w1x4"),
]


SAFE = {True: "yes", False: "NO", None: "can't tell"}


def _md(key: str) -> str:
    """A configuration key in a Markdown table cell (its `|` separators escaped)."""
    return key.replace("|", "\\|")


def _ci(e: Estimate) -> str:
    if e.n < 2:
        return f"{e.mean:,.1f} (n=1, no CI)"
    return f"{e.mean:,.1f} [{e.ci_low:,.1f}, {e.ci_high:,.1f}] (n={e.n})"


def scenario_file(name: str, arrivals: str | None) -> Path:
    """The scenario as written, or a copy with `[load] arrivals` set (relative paths made
    absolute, so the copy runs from anywhere)."""
    path = HERE / "validation" / f"{name}.toml"
    if arrivals is None:
        return path
    if "arrivals" not in LoadPlan.model_fields:
        raise SystemExit(
            "--arrivals: this estimator's scenarios have no [load] arrivals field yet (the "
            "measurement protocol adds it); run without --arrivals"
        )
    text = path.read_text(encoding="utf-8").replace('"../../', f'"{HERE.parent}/')
    if "[load]" not in text:
        text += "\n[load]\n"
    text = text.replace("[load]\n", f'[load]\narrivals = "{arrivals}"\n', 1)
    out = RESULTS / "scenarios" / f"{name}-{arrivals}.toml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-run", action="store_true", help="only analyse stored results")
    parser.add_argument("--arrivals", choices=["poisson", "even"], help="arrival process")
    parser.add_argument(
        "--d-source",
        choices=["cost windows", "steady", "capacity step"],
        default="cost windows",
        help="the fitted D: the closed-loop cost windows' (what pricing uses; default), the "
        "lowest steady rate's (about half load), or the capacity step's (the earlier validation)",
    )
    args = parser.parse_args()
    d_source: DSource = args.d_source
    store = RESULTS / (
        f"validation-{args.arrivals}.sqlite" if args.arrivals else "validation.sqlite"
    )
    if not args.no_run:
        RESULTS.mkdir(parents=True, exist_ok=True)
        for name in SCENARIOS:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "estimator",
                    "run",
                    str(scenario_file(name, args.arrivals)),
                    "--results",
                    str(store),
                ],
                check=True,
            )
    with Store(store, create=False) as s:
        runs = s.results()
    # One summary per scenario: the three /compute scenarios share an app name, and one
    # summary of all of them would keep only the newest scenario's runs (like with like).
    by_scenario: dict[str, list[RunResult]] = {}
    for run in runs:
        by_scenario.setdefault(run.cell.scenario_hash, []).append(run)
    summaries = {x.key: x for rs in by_scenario.values() for x in summarize(rs).summaries}
    a = Assumptions()
    arrivals = sorted({x.arrivals or "not recorded" for x in summaries.values()})
    print(f"store {store}; arrivals: {', '.join(arrivals)}; fitted D: {d_source}\n")
    print(
        "| fitted on | held out | differs in | ρ_SLO (fitted) | predicted req/s | measured "
        "req/s [95% CI] | error | binding | planned req/s (u) | planned ≤ measured |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for fit_key, held_key in PAIRS:
        if fit_key not in summaries or held_key not in summaries:
            print(f"| {_md(fit_key)} | {_md(held_key)} | (not measured) | | | | | | | |")
            continue
        row = predict_measured(summaries[fit_key], summaries[held_key], a, d_source=d_source)
        bound = " (≥, lower bound)" if row.measured_lower_bound else ""
        print(
            f"| {_md(fit_key)} | {_md(held_key)} | {_md(row.differs_in)} | "
            f"{row.slo_utilization:.3g} | "
            f"{row.predicted_rps:,.1f} | {_ci(row.measured_rps)}{bound} | "
            f"{row.error_pct:+.1f}% {'(in CI)' if row.within_ci else ''} | {row.binding} | "
            f"{row.planned_rps:,.1f} ({row.planned_utilization:.3g}) | "
            f"{SAFE[row.planned_within_measured]} |"
        )
        for note in row.notes:
            if note.startswith("contradiction:"):
                print(f"|  | {note} | | | | | | | | |")
    print()
    base = summaries.get(PAIRS[0][0])
    if base is not None:
        print("| quota (CPUs) | measured capacity ratio to 1 CPU | default curve |")
        print("|---|---|---|")
        for q in (0.5, 0.25):
            held = summaries.get(f"{PAIRS[0][0]} | quota {q:g}")
            if held is not None:
                ratio = held.capacity_rps.mean / base.capacity_rps.mean
                print(f"| {q:g} | {ratio:.3f} | {DEFAULT_QUOTA_CURVE.ratio(q):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
