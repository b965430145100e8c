"""Repeatability: two independent runs of one scenario into separate stores, side by side.

    # measure twice (each run's wall time is printed: `quick` must take ≤ 12 minutes), then
    # compare; the arguments after `--` go to `estimator estimate`:
    .venv/bin/python -m benchmarks.repeatability --run --out /tmp/rep -- \\
        --peak-rps 200 --region us-east-1
    # compare two stores measured before:
    .venv/bin/python -m benchmarks.repeatability --stores a.sqlite b.sqlite -- \\
        --peak-rps 200 --region us-east-1
    # check that it runs (a tiny scenario, twice):
    .venv/bin/python -m benchmarks.repeatability --smoke --out /tmp/rep-smoke -- \\
        --peak-rps 50 --region us-east-1

Reads `estimator estimate --json` of each store: per entry of `configurations`,
`cpu_ms_per_request` ({mean, ci_low, ci_high, n}), the best option's `monthly_usd`,
`monthly_usd_low` and `monthly_usd_high`, `tie_group` (configurations of one app with the same
value are not distinguishable by cost; a lower group is cheaper), and `headlines` (each app's
recommended configuration). Prints a Markdown table of both runs and the two checks of
docs/benchmarks.md "Repeatability":

1. no pair flips: the tool never calls A significantly cheaper than B in one run (different
   tie groups, A's lower) and B significantly cheaper than A in the other;
2. each app's recommended configuration's $/month in run 2 lies inside run 1's interval
   [monthly_usd_low, monthly_usd_high] and vice versa.

Exit status: 0 both checks pass; 1 a check fails; 2 the estimate lacks a field the checks need
(named in the message).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

SMOKE = """
name = "smoke"
apps = ["flask"]
variants = ["cpython-3.11", "cpython-3.13"]
locustfile = "products"
[[servers]]
kind = "gunicorn-sync"
workers = 1
[load]
warmup_min_s = 1
warmup_max_s = 3
warmup_window_s = 0.5
warmup_tolerance = 0.5
cost_window_s = 1
cost_ci_target = 0.5
min_rounds = 3
max_rounds = 4
budget_s = 30
service_probe_s = 0.5
probe_windows = 2
steady_duration_s = 1
steady_windows = 1
search_max_steps = 2
step_duration_s = 1
"""


class MissingField(Exception):
    pass


def _field(entry: dict[str, Any], name: str, where: str) -> Any:
    if name not in entry:
        raise MissingField(
            f"`estimator estimate --json` has no '{name}' in {where}: the checks need it "
            "(issue 12's estimate fields)"
        )
    return entry[name]


def measure(scenario: str, store: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "estimator", "run", scenario, "--results", str(store)], check=True
    )
    return time.monotonic() - started


def estimate(store: Path, extra: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "estimator", "estimate", "--results", str(store), "--json", *extra],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def cpu_text(value: Any) -> str:
    if isinstance(value, dict):
        n = value.get("n", "?")
        if isinstance(n, int) and n < 2:
            return f"{value['mean']:.3f} (n = {n}: unknown)"
        return f"{value['mean']:.3f} [{value['ci_low']:.3f}–{value['ci_high']:.3f}] n={n}"
    return f"{float(value):.3f} (no interval)"


def dollars(config: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal] | None:
    """The best option's $/month and its interval."""
    options = config.get("options") or []
    if not options:
        return None
    best = options[0]
    value = Decimal(str(best["monthly_usd"]))
    low = Decimal(str(_field(best, "monthly_usd_low", "configurations[].options[]")))
    high = Decimal(str(_field(best, "monthly_usd_high", "configurations[].options[]")))
    return value, low, high


def usd_text(config: dict[str, Any]) -> str:
    options = config.get("options") or []
    if not options:
        return "not priced"
    best = options[0]
    value = Decimal(str(best["monthly_usd"]))
    if "monthly_usd_low" not in best or "monthly_usd_high" not in best:
        return f"${value:,.2f} (no interval)"
    low, high = Decimal(str(best["monthly_usd_low"])), Decimal(str(best["monthly_usd_high"]))
    return f"${value:,.2f} [${low:,.2f}–${high:,.2f}]"


def table(runs: list[dict[str, Any]]) -> list[str]:
    one, two = ({c["key"]: c for c in r["configurations"]} for r in runs)
    lines = [
        "| configuration | CPU ms/req run 1 | CPU ms/req run 2 | $/month run 1 | $/month run 2 "
        "| tie group 1 | tie group 2 |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in sorted(set(one) | set(two)):
        a, b = one.get(key), two.get(key)
        cells = [key.replace("|", "\\|")]
        cells += [cpu_text(c["cpu_ms_per_request"]) if c else "—" for c in (a, b)]
        cells += [usd_text(c) if c else "—" for c in (a, b)]
        cells += [str(c.get("tie_group", "?")) if c else "—" for c in (a, b)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def flips(runs: list[dict[str, Any]]) -> list[str]:
    groups = [
        {
            c["key"]: (c["app"], _field(c, "tie_group", "configurations[]"))
            for c in r["configurations"]
        }
        for r in runs
    ]
    out = []
    common = sorted(set(groups[0]) & set(groups[1]))
    for a, b in itertools.combinations(common, 2):
        (app_a, g1a), (app_b, g1b) = groups[0][a], groups[0][b]
        if app_a != app_b or g1a is None or g1b is None:
            continue
        g2a, g2b = groups[1][a][1], groups[1][b][1]
        if g2a is None or g2b is None:
            continue
        if (g1a - g1b) * (g2a - g2b) < 0:
            out.append(f"{a} vs {b}: tie groups {g1a}/{g1b} in run 1, {g2a}/{g2b} in run 2")
    return out


def recommended(runs: list[dict[str, Any]]) -> list[str]:
    problems = []
    recs = [{h["app"]: h["key"] for h in _field(r, "headlines", "the report")} for r in runs]
    configs = [{c["key"]: c for c in r["configurations"]} for r in runs]
    for app in sorted(set(recs[0]) & set(recs[1])):
        priced = [dollars(configs[i][recs[i][app]]) for i in (0, 1)]
        d = [p for p in priced if p is not None]
        if len(d) < 2:
            problems.append(f"{app}: a recommended configuration is not priced")
            continue
        for this, other in ((1, 0), (0, 1)):
            value = d[this][0]
            low, high = d[other][1], d[other][2]
            inside = low <= value <= high
            print(
                f"{app}: run {this + 1}'s recommendation {recs[this][app]} at ${value:,.2f} "
                f"{'lies in' if inside else 'is OUTSIDE'} run {other + 1}'s interval for "
                f"{recs[other][app]} [${low:,.2f}–${high:,.2f}]"
            )
            if not inside:
                problems.append(f"{app}: run {this + 1}'s ${value:,.2f} outside run {other + 1}'s")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.repeatability")
    parser.add_argument("--run", action="store_true", help="measure the scenario twice first")
    parser.add_argument("--smoke", action="store_true", help="a tiny scenario, twice")
    parser.add_argument("--scenario", default="quick")
    parser.add_argument("--out", type=Path, default=Path("repeatability"))
    parser.add_argument("--stores", type=Path, nargs=2, help="two stores measured before")
    args = parser.parse_args(argv)
    if not extra:
        extra = ["--peak-rps", "200", "--region", "us-east-1"]
    if args.stores:
        stores = list(args.stores)
    else:
        if not (args.run or args.smoke):
            parser.error("give --run, --smoke or --stores A B")
        args.out.mkdir(parents=True, exist_ok=True)
        scenario = args.scenario
        if args.smoke:
            scenario = str(args.out / "smoke.toml")
            Path(scenario).write_text(SMOKE)
        stores = [args.out / f"run{i}.sqlite" for i in (1, 2)]
        for i, store in enumerate(stores, start=1):
            if store.exists():
                store.unlink()
            seconds = measure(scenario, store)
            print(f"run {i}: `estimator run {scenario}` took {seconds / 60:.1f} min")
    runs = [estimate(store, extra) for store in stores]
    print("\n".join(table(runs)))
    try:
        flipped = flips(runs)
        outside = recommended(runs)
    except MissingField as exc:
        print(f"check not possible: {exc}")
        return 2
    for line in flipped:
        print(f"FLIP: {line}")
    ok = not flipped and not outside
    print(
        f"no pair flips significance: {'yes' if not flipped else 'NO'}; recommended "
        f"configurations' $/month inside each other's interval: {'yes' if not outside else 'NO'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
