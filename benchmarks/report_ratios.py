"""Do the tool's CPU-cost ratios between interpreters match an independent measurement?

The Flask sample app's `/report` under gunicorn sync (1 worker, pinned to CPU 1) for CPython
3.11, 3.12 and 3.13 (by default), measured twice in one session:

1. **The tool**: `estimator run` on a scenario of those three configurations (load test
   `report`, closed-loop cost windows in interleaved rounds until the CPU-per-request CI
   reaches `--target`, or `--budget` seconds), into a fresh results store; then the paired
   per-round ratios B ÷ A from the store (`estimator.store.paired`).
2. **The independent protocol** (issue 12, docs/benchmarks.md): the three servers started
   side by side, `wrk -t1 -c4` pinned to CPU 0 against each in turn for `--window` seconds,
   `--rounds` rounds (the order rotates), server CPU read from
   `/proc/PID/task/*/schedstat` (field 1, nanoseconds) for every thread of every process of
   the server's tree before and after each window; CPU per request = ΔCPU ÷ wrk's completed
   requests; the ratio per round and its mean ± t·s/√n.

Prints both side by side, each ratio's 95% CI half-width (the issue asks ≤ ±6% of the tool's),
and whether each method's ratio lies in the other's interval.

    .venv/bin/python -m benchmarks.report_ratios                  # the real thing (~10 min)
    .venv/bin/python -m benchmarks.report_ratios --smoke          # tiny, to check it runs
    .venv/bin/python -m benchmarks.report_ratios --json out.json  # also write the figures
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from benchmarks._common import GENERATOR_CPU, SERVER_CPU, served, variant
from estimator import procs
from estimator.measure.rounds import round_order
from estimator.scenario import ServerConfig
from estimator.stats import CONFIDENCE, t_quantile
from estimator.store.paired import paired_cpu_ratio
from estimator.store.runs import Store

SCENARIO = """
name = "report-ratios"
apps = ["flask"]
variants = {variants}
locustfile = "report"
[[servers]]
kind = "gunicorn-sync"
workers = 1
[load]
warmup_min_s = {warmup}
warmup_max_s = {warmup_max}
cost_window_s = {window}
cost_ci_target = {target}
min_rounds = {min_rounds}
max_rounds = 200
budget_s = {budget}
service_probe_s = 0
steady_windows = 1
steady_duration_s = 1
search_max_steps = 1
step_duration_s = 1
[slo]
p95_ms = 1000
[cpu]
server_cpus = [{server_cpu}]
generator_cpus = [{generator_cpu}]
"""
_COUNT = re.compile(r"(\d+) requests in")


@dataclass
class Interval:
    """A ratio's geometric mean over rounds and its 95% t-interval (on log ratios)."""

    n: int
    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, ratios: list[float]) -> Interval:
        logs = [math.log(r) for r in ratios]
        n = len(logs)
        mean = statistics.fmean(logs)
        if n < 2:
            return cls(n, math.exp(mean), math.nan, math.nan)
        half = t_quantile(CONFIDENCE, n - 1) * statistics.stdev(logs) / math.sqrt(n)
        return cls(n, math.exp(mean), math.exp(mean - half), math.exp(mean + half))

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2 / self.mean

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def text(self) -> str:
        if self.n < 2:
            return f"{self.mean:.3f} (n = 1: interval unknown)"
        return (
            f"{self.mean:.3f} [{self.low:.3f}–{self.high:.3f}] ±{self.half_width:.1%}, n={self.n}"
        )


def tree_ns(root: int) -> int:
    """Σ field 1 of /proc/PID/task/*/schedstat over the tree (the design's reading)."""
    pids = [root]
    with contextlib.suppress(psutil.Error):
        pids += [c.pid for c in psutil.Process(root).children(recursive=True)]
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with (
                    contextlib.suppress(OSError, ValueError, IndexError),
                    open(f"/proc/{pid}/task/{tid}/schedstat") as f,
                ):
                    total += int(f.read().split()[0])
    return total


def wrk_requests(url: str, seconds: float, connections: int) -> int:
    with tempfile.TemporaryFile() as out:
        proc = procs.spawn(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            cpus={GENERATOR_CPU},
        )
        try:
            proc.wait(timeout=seconds + 30)
        finally:
            procs.stop(proc)
        out.seek(0)
        text = out.read().decode()
    m = _COUNT.search(text)
    if m is None or "Non-2xx" in text:
        raise RuntimeError(f"wrk: no count, or errors: {text}")
    return int(m.group(1))


def independent(
    names: list[str], rounds: int, window: float, warmup: float
) -> dict[str, list[float]]:
    """CPU-seconds per request by variant, one value per round."""
    server = ServerConfig(kind="gunicorn-sync", workers=1)
    with contextlib.ExitStack() as stack:
        running = {n: stack.enter_context(served("flask", server, variant(n))) for n in names}
        for srv in running.values():
            wrk_requests(srv.url + "/report", warmup, 4)
        out: dict[str, list[float]] = {n: [] for n in names}
        for r in range(rounds):
            for name in round_order(names, r):
                srv = running[name]
                before = tree_ns(srv.master_pid)
                count = wrk_requests(srv.url + "/report", window, 4)
                after = tree_ns(srv.master_pid)
                out[name].append((after - before) / 1e9 / count)
    return out


def tool(names: list[str], args: argparse.Namespace, workdir: Path) -> dict[str, Interval]:
    scenario = workdir / "report-ratios.toml"
    scenario.write_text(
        SCENARIO.format(
            variants=json.dumps(names),
            warmup=min(3.0, args.warmup),
            warmup_max=max(3.0, args.warmup * 3),
            window=args.tool_window,
            target=args.target,
            min_rounds=args.min_rounds,
            budget=args.budget,
            server_cpu=SERVER_CPU,
            generator_cpu=GENERATOR_CPU,
        )
    )
    store = workdir / "results.sqlite"
    env = {**os.environ, "ESTIMATOR_RESULTS": str(store), "ESTIMATOR_DATA_DIR": str(workdir)}
    subprocess.run([sys.executable, "-m", "estimator", "run", str(scenario)], env=env, check=True)
    with Store(store, create=False) as s:
        runs = s.results()
    keys = {r.cell.variant: r.config_key for r in runs}
    out = {}
    for name in names[1:]:
        pr = paired_cpu_ratio(runs, keys[names[0]], keys[name])
        if pr is None:
            raise SystemExit(f"the tool measured no common round of {names[0]} and {name}")
        r = pr.ratio
        out[name] = Interval(r.n, r.mean, r.ci_low, r.ci_high)
    for run in runs:
        cost = [w.cpu_s_per_request for w in run.cost if w.cpu_s_per_request is not None]
        hw = f" ±{run.cost_half_width:.1%}" if run.cost_half_width is not None else ""
        print(
            f"tool: {run.config_key}: {statistics.fmean(cost) * 1e3:.3f} CPU-ms/request{hw} "
            f"over {len(cost)} rounds ({run.stop_detail})"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--variants", nargs="+", default=["cpython-3.11", "cpython-3.12", "cpython-3.13"]
    )
    parser.add_argument("--rounds", type=int, default=10, help="wrk rounds")
    parser.add_argument("--window", type=float, default=4.0, help="wrk window, s")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--tool-window", type=float, default=3.0, help="cost window, s")
    parser.add_argument("--target", type=float, default=0.03, help="tool's CI target")
    parser.add_argument("--min-rounds", type=int, default=10)
    parser.add_argument("--budget", type=float, default=300.0, help="tool's rounds, s")
    parser.add_argument("--smoke", action="store_true", help="tiny parameters: check it runs")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.window, args.warmup = 2, 1.0, 1.0
        args.tool_window, args.min_rounds, args.budget, args.target = 1.0, 2, 10.0, 0.5
    names = args.variants
    with tempfile.TemporaryDirectory() as tmp:
        by_tool = tool(names, args, Path(tmp))
    by_wrk = independent(names, args.rounds, args.window, args.warmup)
    base = by_wrk[names[0]]
    rows = []
    print(f"CPU per request of /report ÷ {names[0]}'s (gunicorn sync, 1 worker, CPU {SERVER_CPU})")
    print(
        "| ratio | tool (interleaved rounds) | wrk + schedstat | wrk in tool's CI "
        "| tool in wrk's CI |"
    )
    print("|---|---|---|---|---|")
    for name in names[1:]:
        t = by_tool[name]
        w = Interval.of([b / a for a, b in zip(base, by_wrk[name], strict=True)])
        print(
            f"| {name} / {names[0]} | {t.text()} | {w.text()} | "
            f"{'yes' if t.contains(w.mean) else 'NO'} | {'yes' if w.contains(t.mean) else 'NO'} |"
        )
        rows.append({"ratio": f"{name}/{names[0]}", "tool": asdict(t), "wrk": asdict(w)})
    ms = {n: statistics.fmean(v) * 1e3 for n, v in by_wrk.items()}
    print("wrk + schedstat CPU-ms/request: " + ", ".join(f"{n} {v:.3f}" for n, v in ms.items()))
    if args.json:
        args.json.write_text(json.dumps({"ratios": rows, "wrk_cpu_ms": ms}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
