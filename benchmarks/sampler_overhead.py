"""Does sampling the server disturb it? Server throughput (wrk, closed loop) and the server's
CPU-seconds per request with and without the psutil sampler running at its default rate,
interleaved: off, on, off, on, ... (CPU per request is read from the kernel's counters for the
server's processes before and after each wrk run, independently of the sampler.)

    .venv/bin/python -m benchmarks.sampler_overhead [--rounds 4] [--seconds 8]

Goal (issue 4): ratio on/off >= 0.99. Prints a Markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics

import psutil

from benchmarks._common import GENERATOR_CPU, mean_sd, served, variant, wrk
from estimator.sample import Sampler
from estimator.scenario import ServerConfig
from estimator.stats import estimate


def _server_cpu_s(pid: int) -> float:
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return sum(t.user + t.system for t in (p.cpu_times() for p in procs))


def _run(url: str, pid: int, seconds: float) -> tuple[float, float]:
    """(requests/second, server CPU-ms per request)."""
    before = _server_cpu_s(pid)
    rps = wrk(url, seconds)
    return rps, (_server_cpu_s(pid) - before) / (rps * seconds) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cpython-3.12")
    parser.add_argument("--app", default="flask")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--interval", type=float, default=0.1, help="sampler tick, seconds")
    parser.add_argument("--memory-every", type=int, default=2, help="USS/PSS every Nth tick")
    args = parser.parse_args()
    rv = variant(args.variant)
    server = ServerConfig(kind="gunicorn-sync", workers=1)
    off: list[float] = []
    on: list[float] = []
    cpu_off: list[float] = []
    cpu_on: list[float] = []
    with served(args.app, server, rv) as running:
        url = running.url + args.path
        pid = running.master_pid
        wrk(url, 3)  # warm-up
        for _ in range(args.rounds):
            rps, cpu = _run(url, pid, args.seconds)
            off.append(rps)
            cpu_off.append(cpu)
            with Sampler(
                server_pid=pid,
                cpus=[GENERATOR_CPU],
                interval_s=args.interval,
                memory_every=args.memory_every,
            ) as sampler:
                rps, cpu = _run(url, pid, args.seconds)
            on.append(rps)
            cpu_on.append(cpu)
            ticks = len({s.t for s in sampler.samples()})
    ratio = statistics.fmean(on) / statistics.fmean(off)
    # Rounds are interleaved pairs (off, on): the per-round ratio cancels the VM's drift.
    paired = estimate([b / a for a, b in zip(off, on, strict=True)])
    cpu_ratio = statistics.fmean(cpu_on) / statistics.fmean(cpu_off)
    print(f"off: {off} req/s, {cpu_off} CPU-ms/req")
    print(f"on:  {on} req/s, {cpu_on} CPU-ms/req")
    print(f"last sampled run: {ticks} ticks in {args.seconds:g} s")
    print(
        f"paired on/off ratio: {paired.mean:.3f} [95% CI {paired.ci_low:.3f}, "
        f"{paired.ci_high:.3f}] over {paired.n} rounds"
    )
    print(
        f"| {args.app} {args.path} | {rv.name} | {1 / args.interval:g} Hz, memory every "
        f"{args.memory_every} | {args.rounds} | {mean_sd(off)} | {mean_sd(on)} | {ratio:.3f}; "
        f"paired {paired.mean:.3f} [{paired.ci_low:.3f}, {paired.ci_high:.3f}] | "
        f"{statistics.fmean(cpu_off):.4f} | "
        f"{statistics.fmean(cpu_on):.4f} | {cpu_ratio:.3f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
