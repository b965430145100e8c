"""Does sampling the server disturb it? Server throughput (wrk, closed loop) with and without
the psutil sampler running at its default rate, interleaved: off, on, off, on, ...

    .venv/bin/python -m benchmarks.sampler_overhead [--rounds 4] [--seconds 8]

Goal (issue 4): ratio on/off >= 0.99. Prints a Markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks._common import GENERATOR_CPU, mean_sd, served, variant, wrk
from estimator.sample import Sampler
from estimator.scenario import ServerConfig


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cpython-3.12")
    parser.add_argument("--app", default="flask")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    rv = variant(args.variant)
    server = ServerConfig(kind="gunicorn-sync", workers=1)
    off: list[float] = []
    on: list[float] = []
    with served(args.app, server, rv) as running:
        url = running.url + args.path
        wrk(url, 3)  # warm-up
        for _ in range(args.rounds):
            off.append(wrk(url, args.seconds))
            with Sampler(server_pid=running.master_pid, cpus=[GENERATOR_CPU]) as sampler:
                on.append(wrk(url, args.seconds))
            ticks = len({s.t for s in sampler.samples()})
    ratio = statistics.fmean(on) / statistics.fmean(off)
    print(f"off: {off}\non:  {on}\nlast sampled run: {ticks} ticks")
    print(
        f"| {args.app} {args.path} | {rv.name} | gunicorn-sync w1 | {mean_sd(off)} | "
        f"{mean_sd(on)} | {ratio:.3f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
