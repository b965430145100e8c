"""What does free-threading buy on more than one core? (docs/interpreters.md)

The HTTP benchmarks give the server one core (the load generator needs the other), so they
show what a free-threaded build *costs* per request, not what its threads *buy*. This one has
no server and no generator: one interpreter process runs the sample apps' /compute work
(`common.workload.run(size)`) in 1 thread and then in 2 threads, pinned to both CPUs, and
reports calls per second and the 2-thread speed-up. A GIL build stays near 1.0×; a
free-threaded build can approach 2.0×. The measured speed-up is what `worker_cpu_max` (docs/
model.md) should be for a threaded worker of that build on 2 CPUs.

    .venv/bin/python -m benchmarks.thread_scaling [--variants cpython-3.14 cpython-3.14t ...]

Rounds are interleaved across variants (machine noise hits all alike). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess

from benchmarks._common import mean_sd, variant
from estimator import procs
from estimator.interpreters import ResolvedVariant
from estimator.paths import SAMPLE_APPS_DIR

SAMPLE_APPS = SAMPLE_APPS_DIR

# Runs inside the measured interpreter: stdlib only (plus the sample apps' common/ package).
CHILD = """
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
from common import workload
size, calls, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
for _ in range(calls):  # warm-up (and the JITs' compilation)
    workload.run(size)
out = {}
for n in (1, threads):
    per = calls // n
    def work():
        for _ in range(per):
            workload.run(size)
    ts = [threading.Thread(target=work) for _ in range(n)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out[n] = per * n / (time.perf_counter() - t0)
print(json.dumps({"gil": gil, "rates": out}))
"""


def _round(rv: ResolvedVariant, size: int, calls: int) -> tuple[bool, float, float]:
    name = rv.name
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **rv.env}
    proc = procs.spawn(
        [rv.interpreter.path, "-c", CHILD, str(SAMPLE_APPS), str(size), str(calls), "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cpus={0, 1},
    )
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        procs.stop(proc)
    if proc.returncode != 0:
        raise SystemExit(f"{name}: exited {proc.returncode}: {err.decode()[-400:]}")
    data = json.loads(out)
    return bool(data["gil"]), float(data["rates"]["1"]), float(data["rates"]["2"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["cpython-3.13", "cpython-3.13t", "cpython-3.14", "cpython-3.14t"],
    )
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    resolved = [variant(name) for name in args.variants]
    results: dict[str, list[tuple[bool, float, float]]] = {rv.name: [] for rv in resolved}
    for _ in range(args.rounds):
        for rv in resolved:
            results[rv.name].append(_round(rv, args.size, args.calls))
    print(
        f"/compute?size={args.size} work, {args.calls} calls per measurement, "
        f"{args.rounds} interleaved rounds (mean ± sd), pinned to CPUs 0-1\n"
    )
    print("| variant | GIL in the process | 1 thread (calls/s) | 2 threads (calls/s) | speed-up |")
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        one = [r[1] for r in rows]
        two = [r[2] for r in rows]
        ups = [r[2] / r[1] for r in rows]
        print(
            f"| {name} | {'on' if rows[0][0] else 'off'} | {mean_sd(one, 1)} | "
            f"{mean_sd(two, 1)} | {mean_sd(ups, 2)}× |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
