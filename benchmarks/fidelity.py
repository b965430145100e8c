"""How close is the harness's capacity to the server's real maximum?

For one app × variant × endpoint under gunicorn sync (1 worker, pinned to CPU 1; generators on
CPU 0) it measures:
- wrk's maximum throughput (closed loop, no latency limit): the reference;
- the harness's capacity (`measure()`: warm-up, steady rate, capacity search) with a lax SLO
  (p95 ≤ 1 s) so it looks for the maximum too, and whether the generator was the bottleneck;
- the capacity predicted from CPU cost alone: 1 / (CPU-seconds per request), with the CPU cost
  measured at the steady rate (half the warm-up's peak) and at the capacity step.

    .venv/bin/python -m benchmarks.fidelity --variant cpython-3.12 --path /healthz

Prints a Markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks._common import served, variant, wrk
from estimator.measure import CellSpec, measure
from estimator.scenario import CpuLayout, LoadPlan, ServerConfig, Slo
from estimator.scenario.builtin_apps import SAMPLE_APPS

LOCUSTFILE = """
from locust import FastHttpUser, task


class One(FastHttpUser):
    @task
    def get(self) -> None:
        with self.client.get({path!r}, name={path!r}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {{r.status_code}}")
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cpython-3.12")
    parser.add_argument("--app", default="flask")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rv = variant(args.variant)
    server = ServerConfig(kind="gunicorn-sync", workers=1)

    with served(args.app, server, rv) as running:
        url = running.url + args.path
        wrk(url, 5)  # warm-up (PyPy's JIT too)
        wrk_rps = wrk(url, args.seconds)

    with tempfile.TemporaryDirectory() as tmp:
        locustfile = Path(tmp) / "one.py"
        locustfile.write_text(LOCUSTFILE.format(path=args.path))
        cell = CellSpec(
            scenario="fidelity",
            scenario_hash="-",
            app=SAMPLE_APPS[args.app],
            variant=rv.name,
            server=server,
            repetition=0,
            locustfile=locustfile,
            load=LoadPlan(
                warmup_min_s=5,
                warmup_max_s=30,
                steady_fractions=[0.5],
                steady_duration_s=6,
                search_start_fraction=0.8,
                search_step_factor=1.1,
                search_max_steps=10,
                step_duration_s=4,
            ),
            slo=Slo(p95_ms=1000),
            cpu=CpuLayout(server_cpus=[1], generator_cpus=[0]),
        )
        result = measure(cell, rv, runs_dir=Path(tmp) / "runs")
    if result.status != "ok" or result.capacity is None:
        print(f"harness run failed: {result.failure}")
        return 1
    cap = result.capacity
    harness = cap.capacity_rps or 0.0
    steady = result.steady[0]
    d = steady.cpu_s_per_request or float("nan")
    predicted = 1.0 / d
    at_cap = [
        p for p in result.phases if p.load.kind == "step" and p.load.throughput_rps == harness
    ]
    d_cap = (at_cap[0].cpu_s_per_request if at_cap else None) or float("nan")
    busiest = max((p.server.generator_cpu_busiest for p in result.phases if p.server), default=0)
    print(f"capacity search: {cap.detail}")
    print(
        f"| {args.app} {args.path} | {rv.name} | {wrk_rps:,.0f} | "
        f"{'≥ ' if cap.lower_bound else ''}{harness:,.0f} | {harness / wrk_rps:.2f} | "
        f"{d * 1e3:.3f} | {predicted:,.0f} | {predicted / wrk_rps:.2f} | "
        f"{d_cap * 1e3:.3f} | {1 / d_cap:,.0f} | {1 / d_cap / wrk_rps:.2f} | "
        f"{busiest:.0%} | {cap.stop_reason} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
