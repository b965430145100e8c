"""Does `estimator calibrate` agree with what the tool measures? (issue 13, "Done when")

    .venv/bin/python -m benchmarks.calibrate_check [--repetitions 5] [--smoke]

In one session, on this machine:

1. `estimator calibrate --variants cpython-3.11,cpython-3.13` (target CI ±2%);
2. the tool's own measurement of the Flask sample app's `/report` under gunicorn sync, one
   worker, both variants (`estimator run` of the scenario written to
   benchmarks/results/calibrate_check.toml, `--repetitions` interleaved repetitions);
3. calibrate again (drift between 1 and 3 shows in the two ratios).

Then the ratios 3.13 ÷ 3.11 of CPU cost per request: from the scores (score 3.11 ÷ score
3.13; the whole request mix, and its `/report` requests alone) and from the measurement's
CPU-seconds per request, each with a 95% interval (relative half-widths added in
quadrature). "agree" when the two intervals overlap. Exit 0 when the calibration CIs are within
±2% and the mix ratio agrees with the measured one, 1 otherwise. `--smoke` runs everything
tiny (a check that the script works, not a result).
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
from pathlib import Path

from estimator.calibrate import Protocol, VariantScore, local_workers, measure
from estimator.stats import Estimate
from estimator.store.runs import Store
from estimator.store.summarize import summarize

RESULTS = Path(__file__).parent / "results"
VARIANTS = ("cpython-3.11", "cpython-3.13")
SCENARIO = """\
# written by benchmarks/calibrate_check.py: the Flask sample app's /report, one sync worker
name = "calibrate-check"
variants = ["cpython-3.11", "cpython-3.13"]
repetitions = {repetitions}

[[apps]]
name = "flask-report"
directory = "{apps}"
wsgi = "flask_app.wsgi:app"
requirements = ["flask_app/requirements.txt"]
env = {{ SAMPLE_APP_DB = "{{run_dir}}/app.sqlite3" }}
locustfile = "{locustfile}"

[[servers]]
kind = "gunicorn-sync"
workers = 1

[load]
{load}
[slo]
p95_ms = 1000.0  # lax: the CPU cost per request is what is compared, not capacity
"""
LOAD = """warmup_min_s = 3.0
warmup_max_s = 10.0
steady_fractions = [0.5]
steady_duration_s = 4.0
search_start_fraction = 0.8
search_step_factor = 1.1
search_max_steps = 6
step_duration_s = 2.0
"""
SMOKE_LOAD = """warmup_min_s = 1.0
warmup_max_s = 2.0
steady_fractions = [0.5]
steady_duration_s = 1.0
search_start_fraction = 0.9
search_max_steps = 1
step_duration_s = 1.0
"""

Ratio = tuple[float, float]
"""a value and its relative 95% half-width"""


def _rel(low: float, high: float, mean: float) -> float:
    return (high - low) / 2 / mean if mean else math.inf


def calibrate(protocol: Protocol) -> dict[str, VariantScore]:
    def say(msg: str) -> None:
        print(f"  {msg}", file=sys.stderr, flush=True)

    with local_workers(VARIANTS, None, say) as workers:
        return {s.variant: s for s in measure(workers, protocol, say)}


def score_ratio(scores: dict[str, VariantScore]) -> Ratio:
    """CPU cost 3.13 ÷ 3.11 from the scores (a score is requests per CPU-second)."""
    a, b = scores["cpython-3.11"], scores["cpython-3.13"]
    return a.score / b.score, math.hypot(a.relative_half_width, b.relative_half_width)


def report_ratio(scores: dict[str, VariantScore]) -> float:
    a, b = scores["cpython-3.11"], scores["cpython-3.13"]
    return b.endpoints_ms["report"] / a.endpoints_ms["report"]


def measured_ratio(store: Path) -> tuple[Ratio, dict[str, Estimate]]:
    with Store(store, create=False) as s:
        runs = s.results()
    sums = {x.variant: x.cpu_s_per_request for x in summarize(runs).summaries}
    missing = [v for v in VARIANTS if v not in sums]
    if missing:
        raise SystemExit(f"the measurement has no usable runs of {', '.join(missing)}")
    a, b = sums["cpython-3.11"], sums["cpython-3.13"]
    rel = math.hypot(_rel(a.ci_low, a.ci_high, a.mean), _rel(b.ci_low, b.ci_high, b.mean))
    return (b.mean / a.mean, rel), sums


def _show(name: str, r: Ratio) -> str:
    value, rel = r
    return f"{name}: {value:.3f} (95% {value * (1 - rel):.3f}–{value * (1 + rel):.3f})"


def agree(x: Ratio, y: Ratio) -> bool:
    return abs(x[0] - y[0]) <= x[0] * x[1] + y[0] * y[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny everything (a dry run)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    scenario = RESULTS / ("calibrate_check_smoke.toml" if args.smoke else "calibrate_check.toml")
    store = scenario.with_suffix(".sqlite")
    store.unlink(missing_ok=True)
    sample_apps = Path(__file__).resolve().parent.parent / "estimator" / "sample_apps"
    scenario.write_text(
        SCENARIO.format(
            repetitions=1 if args.smoke else args.repetitions,
            apps=sample_apps,
            locustfile=sample_apps.parent / "loadtests" / "report.py",
            load=SMOKE_LOAD if args.smoke else LOAD,
        )
    )
    protocol = (
        Protocol(value_s=0.05, warmup_s=0.1, min_values=3, max_seconds=2)
        if args.smoke
        else Protocol()
    )
    print("1. calibrate", file=sys.stderr)
    before = calibrate(protocol)
    print(f"2. measure: estimator run {scenario} --results {store}", file=sys.stderr)
    estimator = Path(sys.executable).with_name("estimator")
    subprocess.run(
        [str(estimator), "run", str(scenario), "--results", str(store)], check=True, timeout=7200
    )
    print("3. calibrate again", file=sys.stderr)
    after = calibrate(protocol)
    measured, sums = measured_ratio(store)
    print("\nCPU cost per request, cpython-3.13 ÷ cpython-3.11:")
    for v in VARIANTS:
        e = sums[v]
        print(
            f"  measured {v}: {e.mean * 1000:.3f} ms (95% CI {e.ci_low * 1000:.3f}–"
            f"{e.ci_high * 1000:.3f}, n = {e.n})"
        )
    print(f"  {_show('measured /report (estimator run)', measured)}")
    ok = True
    for label, scores in (("before", before), ("after", after)):
        for s in scores.values():
            within = s.relative_half_width <= 0.02
            ok &= within
            print(
                f"  calibrate {label}, {s.variant}: {s.score:,.1f} {s.unit}, "
                f"±{s.relative_half_width:.1%} (n = {s.n}){'' if within else ' - CI over 2%'}"
            )
        r = score_ratio(scores)
        same = agree(r, measured)
        ok &= same
        print(
            f"  {_show(f'calibrate {label}, whole mix', r)}: "
            f"{'agrees' if same else 'DISAGREES'} with the measured ratio"
        )
        print(f"  calibrate {label}, its /report requests alone: {report_ratio(scores):.3f}")
    if args.smoke:
        print("smoke run: the figures above mean nothing")
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
