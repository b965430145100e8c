"""Check the capacity model against runs it was not fitted on (issue 5; docs/model.md).

Runs the scenarios in benchmarks/validation/ (resuming: finished cells are kept) into
benchmarks/results/validation.sqlite, then, fitted on one configuration, predicts the
measured capacity of the held-out ones:
- /compute (CPU-bound), fitted on gunicorn sync w1: sync w2 (another worker count), and sync w1
  inside a 0.5 and a 0.25 CPU quota;
- /upstream (a 50 ms wait), fitted on sync w1: sync w2 and gthread w1x4 (Little's law).

    .venv/bin/python -m benchmarks.model_validation [--no-run]

Prints Markdown tables for docs/model.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from estimator.capacity import DEFAULT_QUOTA_CURVE, Assumptions, predict_measured
from estimator.store.runs import Store
from estimator.store.summarize import summarize

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "validation.sqlite"
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


def _ci(e: object) -> str:
    from estimator.stats import Estimate

    assert isinstance(e, Estimate)
    return f"{e.mean:,.1f} [{e.ci_low:,.1f}, {e.ci_high:,.1f}] (n={e.n})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-run", action="store_true", help="only analyse stored results")
    args = parser.parse_args()
    if not args.no_run:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        for name in SCENARIOS:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "estimator",
                    "run",
                    str(HERE / "validation" / f"{name}.toml"),
                    "--results",
                    str(RESULTS),
                ],
                check=True,
            )
    with Store(RESULTS, create=False) as store:
        summaries = {s.key: s for s in summarize(store.results()).summaries}
    a = Assumptions()
    print(
        "| fitted on | held out | differs in | predicted req/s | measured req/s [95% CI] "
        "| error | binding |"
    )
    print("|---|---|---|---|---|---|---|")
    for fit_key, held_key in PAIRS:
        if fit_key not in summaries or held_key not in summaries:
            print(f"| {fit_key} | {held_key} | (not measured) | | | | |")
            continue
        row = predict_measured(summaries[fit_key], summaries[held_key], a)
        bound = " (≥, lower bound)" if row.measured_lower_bound else ""
        print(
            f"| {fit_key} | {held_key} | {row.differs_in} | {row.predicted_rps:,.1f} | "
            f"{_ci(row.measured_rps)}{bound} | {row.error_pct:+.1f}% "
            f"{'(in CI)' if row.within_ci else ''} | {row.binding} |"
        )
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
