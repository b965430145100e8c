"""What reading the requests in flight per worker costs, and whether it agrees with Little's law
(docs/benchmarks.md §7, "Busy slots: cost and check").

The Flask sample app's `/upstream?ms=50` (a 50 ms wait) under gunicorn gthread 9 × 1 and sync
9 (server on CPU 1), loaded by `wrk` (one thread on CPU 0, 18 connections, kept alive or
`Connection: close`) while `estimator.sample.slots.SlotSampler` ticks at its default rate in
this process. Per configuration and connection mode:

- the sampler's CPU per tick (its thread's CPU time ÷ ticks: /proc/PID/fd of every worker,
  plus a sock_diag dump on ticks that see a new socket) and the share of ticks that dumped;
- the mean busy slots it read, and Little's law's check: busy slots ÷ wrk's req/s is the mean
  time a request spends in a worker, which on this endpoint is 50 ms plus the app's and the
  server's own time (51–53 ms: the reading agrees when it lands there).

    .venv/bin/python -m benchmarks.slot_sampler [--seconds 10]
"""

from __future__ import annotations

import argparse
import threading
import time

from benchmarks._common import served, variant, wrk
from estimator.sample.slots import DEFAULT_INTERVAL_S, SlotSampler, slot_use
from estimator.scenario import ServerConfig

CONFIGS = [
    ServerConfig(kind="gunicorn-gthread", workers=9, threads=1),
    ServerConfig(kind="gunicorn-sync", workers=9),
]
MODES = {"kept alive": (), "new connection per request": ("Connection: close",)}


def measure(
    url: str, workers: list[int], port: int, seconds: float, headers: tuple[str, ...]
) -> tuple[float, float, float, float]:
    """(CPU ms per tick, share of ticks that dumped, mean busy slots, req/s)."""
    slots = SlotSampler(port, lambda: workers)
    rate: list[float] = []
    load = threading.Thread(target=lambda: rate.append(wrk(url, seconds, 18, headers)))
    load.start()
    time.sleep(1.0)  # wrk connected and steady
    cpu0 = time.thread_time()
    t0 = time.time()
    ticks = 0
    dumps0 = slots.classifier.dumps
    while time.time() < t0 + seconds - 2.0:
        slots.sample_once()
        ticks += 1
        time.sleep(DEFAULT_INTERVAL_S)
    cpu_ms = (time.thread_time() - cpu0) / ticks * 1e3
    dumped = (slots.classifier.dumps - dumps0) / ticks
    use = slot_use(slots.ticks(t0, time.time()), threads=1)
    slots.close()
    load.join()
    assert use is not None
    return cpu_ms, dumped, use.total, rate[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cpython-3.12")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rv = variant(args.variant)
    print(
        "| server | connections | sampler CPU per tick | ticks with a dump | busy slots (of 9) "
        "| wrk req/s | busy slots ÷ req/s (ms in a worker) |"
    )
    print("|---|---|---|---|---|---|---|")
    for config in CONFIGS:
        with served("flask", config, rv) as running:
            url = running.url + "/upstream?ms=50"
            wrk(url, 2, 18)  # warm-up
            for mode, headers in MODES.items():
                cpu_ms, dumped, busy, rps = measure(
                    url, running.worker_pids(), running.port, args.seconds, headers
                )
                print(
                    f"| {config.label} | {mode} | {cpu_ms:.2f} ms | {dumped:.0%} | {busy:.2f} "
                    f"| {rps:.1f} | {busy / rps * 1e3:.1f} |"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
