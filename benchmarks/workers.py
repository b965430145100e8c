"""Workers and connections (docs/benchmarks.md, "Workers and connections"): do W workers serve
like W, and does the capacity model predict what they serve?

The Flask sample app's `/upstream?ms=50` (a 50 ms blocking wait, almost no CPU: Little's law
territory) under gunicorn, every configuration with 9 request slots: sync 9 workers, gthread
1 × 9, 3 × 3 and 9 × 1 threads, each without and with `reuse_port` (gunicorn --reuse-port:
a listening socket per worker). All measured side by side in one batch by `estimator run`
(server pinned to CPU 1, load generator to CPU 0, kept-alive connections by default;
`--new-connections` measures with a new connection per request instead), into
benchmarks/results/workers[-new-connections].sqlite. Then per configuration:

- measured: the closed-loop throughput of its cost windows (two users per slot: every slot
  offered work, so this is its saturation throughput) with its 95% CI, and X_max, the
  capacity the search found at a lax SLO (p95 ≤ 1 s);
- the imbalance: effective busy workers per cost window (the requests each worker held, read
  25 times a second and capped at its threads, averaged, ÷ threads:
  `estimator.measure.balance.busy_workers`) and the busiest worker's share of the CPU;
- predicted: the capacity model's saturation throughput from the configuration's own D, S and
  measured balance, min(CPU ÷ D, W × f × threads ÷ S) with f = busy workers ÷ W; and the
  balanced figure (f = 1), which the model marks as an extrapolation when the workers were
  unevenly used. The check: every prediction within ±15% of the measured throughput.

    .venv/bin/python -m benchmarks.workers                      # measure + table (~8-11 min)
    .venv/bin/python -m benchmarks.workers --new-connections    # a connection per request
    .venv/bin/python -m benchmarks.workers --no-run             # table from the store
    .venv/bin/python -m benchmarks.workers --smoke              # tiny: checks it runs

Prints a Markdown table; exits 1 when a prediction is off by more than the tolerance.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from estimator.capacity import Assumptions, predict_saturation
from estimator.stats import Estimate
from estimator.store.runs import Store
from estimator.store.summarize import summarize
from estimator.store.summary import ConfigSummary

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TOLERANCE = 0.15
SPLITS = [("gunicorn-sync", 9, None), ("gunicorn-gthread", 1, 9), ("gunicorn-gthread", 3, 3)]
SPLITS += [("gunicorn-gthread", 9, 1)]
SMOKE_SPLITS = [("gunicorn-sync", 2, None), ("gunicorn-gthread", 2, 1)]

LOAD = """
[load]
keep_alive = {keep_alive}
warmup_min_s = 3
warmup_max_s = 10
cost_window_s = 3
cost_ci_target = 0.05
min_rounds = 6
max_rounds = 12
budget_s = {budget}
service_probe_s = 2
probe_windows = 3
steady_fractions = [0.5]
steady_duration_s = 2
steady_windows = 1
search_start_fraction = 0.8
search_step_factor = 1.1
search_max_steps = 6
step_duration_s = 2
"""
SMOKE_LOAD = """
[load]
keep_alive = {keep_alive}
warmup_min_s = 0.5
warmup_max_s = 2
warmup_window_s = 0.5
warmup_tolerance = 0.5
cost_window_s = 1
cost_ci_target = 0.5
min_rounds = 2
max_rounds = 2
budget_s = {budget}
service_probe_s = 0.5
probe_windows = 1
steady_duration_s = 1
steady_windows = 1
search_start_fraction = 0.8
search_max_steps = 1
step_duration_s = 1
"""


def scenario_text(variant: str, *, smoke: bool, keep_alive: bool, budget: float) -> str:
    splits = SMOKE_SPLITS if smoke else SPLITS
    out = [
        f'name = "workers{"-smoke" if smoke else ""}"',
        'apps = ["flask"]',
        f'variants = ["{variant}"]',
        'locustfile = "upstream"',
    ]
    for kind, workers, threads in splits:
        for reuse in (False, True):
            out += ["[[servers]]", f'kind = "{kind}"', f"workers = {workers}"]
            if threads is not None:
                out.append(f"threads = {threads}")
            if reuse:
                out.append("reuse_port = true")
    template = SMOKE_LOAD if smoke else LOAD
    out.append(template.format(keep_alive=str(keep_alive).lower(), budget=budget))
    out += ["[slo]", "p95_ms = 1000", "[cpu]", "server_cpus = [1]", "generator_cpus = [0]"]
    return "\n".join(out) + "\n"


def _ci(e: Estimate | None, digits: int = 1) -> str:
    if e is None:
        return "not recorded"
    if e.n < 2:
        return f"{e.mean:,.{digits}f} (n=1)"
    return f"{e.mean:,.{digits}f} [{e.ci_low:,.{digits}f}, {e.ci_high:,.{digits}f}]"


def _split(s: ConfigSummary) -> str:
    threads = s.server.threads_per_worker
    return f"{s.workers} × {threads}" if s.server.kind == "gunicorn-gthread" else f"{s.workers}"


def table(summaries: list[ConfigSummary], a: Assumptions) -> tuple[list[str], bool]:
    """The Markdown table and whether every prediction is within the tolerance."""
    lines = [
        "| server | workers × threads | reuse-port | measured req/s (closed loop, 95% CI) | "
        "X_max at p95 ≤ 1 s | effective busy workers | busiest worker's share | "
        "predicted req/s (measured balance) | error | balanced prediction (f = 1) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    for s in sorted(summaries, key=lambda x: (x.server.kind, x.workers, x.server.reuse_port)):
        p = predict_saturation(s, a)
        measured = s.closed_loop_rps
        if measured is None or measured.mean <= 0:
            lines.append(f"| {s.server.label} | | | not measured | | | | | | |")
            ok = False
            continue
        error = (p.predicted_rps - measured.mean) / measured.mean
        within = abs(error) <= TOLERANCE
        ok = ok and within
        off = (p.balanced_rps - measured.mean) / measured.mean
        balanced = f"{p.balanced_rps:,.1f} ({off:+.0%})"
        if p.uneven:
            balanced += ": extrapolation (workers unevenly used)"
        bound = "≥ " if s.capacity_is_lower_bound else ""
        lines.append(
            f"| {s.server.kind} | {_split(s)} | {'yes' if s.server.reuse_port else 'no'} | "
            f"{_ci(measured)} | {bound}{s.capacity_rps.mean:,.1f} | "
            f"{_ci(s.effective_workers)} of {s.workers} | {_ci(s.busiest_worker_share, 2)} | "
            f"{p.predicted_rps:,.1f} ({p.binding}) | {error:+.1%}{'' if within else ' OVER'} | "
            f"{balanced} |"
        )
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cpython-3.12")
    parser.add_argument("--no-run", action="store_true", help="only analyse the stored runs")
    parser.add_argument(
        "--new-connections",
        action="store_true",
        help="a new connection per request ([load] keep_alive = false)",
    )
    parser.add_argument("--budget", type=float, default=900.0, help="seconds of rounds")
    parser.add_argument("--smoke", action="store_true", help="tiny windows, 4 configurations")
    parser.add_argument("--results", type=Path, help="the results store (default: by mode)")
    args = parser.parse_args()
    keep_alive = not args.new_connections
    name = "workers" + ("-new-connections" if args.new_connections else "")
    name += "-smoke" if args.smoke else ""
    store = args.results or RESULTS / f"{name}.sqlite"
    if not args.no_run:
        text = scenario_text(
            args.variant,
            smoke=args.smoke,
            keep_alive=keep_alive,
            budget=60.0 if args.smoke else args.budget,
        )
        path = RESULTS / "scenarios" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        store.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "estimator", "run", str(path), "--results", str(store)]
        subprocess.run(cmd, check=True)
    with Store(store, create=False) as s:
        summaries = summarize(s.results()).summaries
    connections = "kept alive" if keep_alive else "a new connection per request"
    print(
        f"store {store}; {args.variant}; Flask /upstream?ms=50; load connections: "
        f"{connections}; server on CPU 1, generator on CPU 0\n"
    )
    lines, ok = table(summaries, Assumptions())
    print("\n".join(lines))
    print(
        f"\npredictions within ±{TOLERANCE:.0%} of the measured closed-loop throughput: "
        + ("all" if ok else "NOT all (see OVER)")
    )
    return 0 if ok or args.smoke else 1


if __name__ == "__main__":
    raise SystemExit(main())
