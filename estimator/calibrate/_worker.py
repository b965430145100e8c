"""The calibration benchmark's worker: the Flask sample app's own request work, in-process.

Run by `estimator calibrate` with a variant's provisioned interpreter (locally, or over ssh on
another machine), never imported by estimator itself:

    PYTHON _worker.py --apps SAMPLE_APPS_DIR [--cpu N]

It pins itself to one CPU, builds the Flask sample app (`flask_app.create_app`) on a fresh,
seeded SQLite file in a temporary directory and serves one *unit* through Flask's test client
(WSGI, no sockets): the request mix of `loadtests/mix.py` without its waits, i.e. product
pages and lookups (ORM queries on SQLite, JSON), order lookups and new orders (writes, request
validation), the HTML report (an aggregate query and Jinja2 rendering) and `/compute` (the
pure-Python endpoint), 92 requests in a fixed order with fixed ids. Every response's status is
checked. CPU time is the process's (`time.process_time`), so waiting for the disk or for a
turn on a busy CPU does not count.

Protocol: one JSON object per line. At start it writes {"ready": ...} with the interpreter and
the machine's raw facts (the reads of `estimator.host.raw_host`, repeated here because the
worker runs where estimator is not installed); then it answers each command read from stdin:
{"op": "warmup", "seconds": S} runs units for S CPU-seconds, {"op": "run", "units": K} runs K
units, {"op": "quit"} exits. Answers: {"units", "cpu_s", "wall_s", "endpoints": {name:
cpu_s}}, or {"error": message}.

Standard library plus what the sample app needs; Python 3.9 syntax (PyPy 3.9 runs it).
"""

from __future__ import annotations

import argparse
import glob
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from typing import Any

BENCHMARK = "shop-mix"
VERSION = 1
"""Bumped whenever the unit's requests, their order or the app code path change: scores of
different versions are not comparable."""

COMPUTE_SIZE = 2000


def unit_requests() -> list[tuple[str, str, str, Any, int]]:
    """(endpoint name, method, path, JSON body or None, expected status), in a fixed order."""
    reqs: list[tuple[str, str, str, Any, int]] = []
    for i in range(30):
        reqs.append(
            ("products", "GET", f"/api/products?limit=20&offset={(i * 140) % 1000}", None, 200)
        )
        reqs.append(("product", "GET", f"/api/products/{(i * 37) % 1000 + 1}", None, 200))
    for i in range(2):
        reqs.append(("missing product", "GET", f"/api/products/{1001 + i * 500}", None, 404))
        reqs.append(("healthz", "GET", "/healthz", None, 200))
    for i in range(8):
        reqs.append(("order", "GET", f"/api/orders/{(i * 251) % 2000 + 1}", None, 200))
        lines = [
            {"product_id": (i * 53 + k * 211) % 1000 + 1, "quantity": 1 + (i + k) % 3}
            for k in range(1 + i % 3)
        ]
        body = {"customer_id": (i * 97) % 1000 + 1, "items": lines}
        reqs.append(("new order", "POST", "/api/orders", body, 201))
    for _ in range(5):
        reqs.append(("report", "GET", "/report", None, 200))
    for _ in range(7):
        reqs.append(("compute", "GET", f"/compute?size={COMPUTE_SIZE}", None, 200))
    # a fixed interleaving, so that no endpoint's requests run back to back
    order = sorted(range(len(reqs)), key=lambda k: ((k * 7919) % len(reqs), k))
    return [reqs[k] for k in order]


def packages() -> dict[str, str]:
    """Versions of the libraries the mix runs (their pins make scores comparable)."""
    from importlib import metadata

    out = {}
    for name in ("flask", "werkzeug", "jinja2", "markupsafe", "sqlalchemy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def counts(reqs: list[tuple[str, str, str, Any, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, *_ in reqs:
        out[name] = out.get(name, 0) + 1
    return out


def raw_facts() -> dict[str, Any]:
    """The same reads as `estimator.host.raw_host()`."""

    def read(path: str) -> str:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return ""

    pattern = "/sys/devices/system/cpu/cpu[0-9]*/topology/thread_siblings_list"
    siblings = [read(p) for p in sorted(glob.glob(pattern))]
    return {
        "cpuinfo": read("/proc/cpuinfo"),
        "meminfo": read("/proc/meminfo"),
        "thread_siblings": [s for s in siblings if s.strip()],
        "logical_cpus": os.cpu_count() or 1,
        "kernel": platform.release(),
        "hostname": platform.node(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }


class Bench:
    def __init__(self, apps: str, db_dir: str) -> None:
        sys.path.insert(0, apps)
        flask_app = importlib.import_module("flask_app")
        self.app = flask_app.create_app(os.path.join(db_dir, "calibrate.sqlite3"))
        self.client = self.app.test_client()
        self.requests = unit_requests()

    def unit(self, endpoints: dict[str, float]) -> None:
        clock = time.process_time
        for name, method, path, body, status in self.requests:
            start = clock()
            if body is None:
                resp = self.client.open(path, method=method)
            else:
                resp = self.client.open(path, method=method, json=body)
            resp.get_data()
            resp.close()
            endpoints[name] = endpoints.get(name, 0.0) + clock() - start
            if resp.status_code != status:
                raise RuntimeError(
                    f"{method} {path}: status {resp.status_code}, expected {status}: "
                    f"{resp.get_data(as_text=True)[:200]}"
                )

    def run(self, units: int = 0, seconds: float = 0.0) -> dict[str, Any]:
        endpoints: dict[str, float] = {}
        wall0, cpu0 = time.perf_counter(), time.process_time()
        done = 0
        while done < units or (seconds and time.process_time() - cpu0 < seconds):
            self.unit(endpoints)
            done += 1
        return {
            "units": done,
            "cpu_s": time.process_time() - cpu0,
            "wall_s": time.perf_counter() - wall0,
            "endpoints": endpoints,
        }


def _parse_cpus(text: str) -> list[int]:
    out: list[int] = []
    for part in text.strip().split(","):
        lo, _, hi = part.partition("-")
        if lo:
            out += list(range(int(lo), int(hi or lo) + 1))
    return out


def pin(cpu: int | None) -> list[int]:
    """Pin to `cpu` (default: the last allowed one); the CPUs allowed afterwards. PyPy has
    no affinity calls: there the parent pins the worker (`taskset`, or its own spawn)."""
    setter = getattr(os, "sched_setaffinity", None)
    if setter is not None:
        target = max(os.sched_getaffinity(0)) if cpu is None else cpu
        setter(0, {target})
        return sorted(os.sched_getaffinity(0))
    with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
        for line in fh:
            if line.startswith("Cpus_allowed_list:"):
                return _parse_cpus(line.split(":", 1)[1])
    return []


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="estimator calibrate worker")
    parser.add_argument("--apps", required=True, help="the sample_apps directory")
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: the last)")
    args = parser.parse_args(argv)
    try:
        cpu = pin(args.cpu)
        with tempfile.TemporaryDirectory(prefix="estimator-calibrate-") as tmp:
            start = time.perf_counter()
            bench = Bench(args.apps, tmp)
            bench.run(units=1)  # every endpoint answers as expected before timing starts
            _say(
                {
                    "ready": True,
                    "benchmark": BENCHMARK,
                    "version": VERSION,
                    "requests_per_unit": len(bench.requests),
                    "endpoint_counts": counts(bench.requests),
                    "python": sys.version.split()[0],
                    "implementation": sys.implementation.name,
                    "executable": sys.executable,
                    "packages": packages(),
                    "cpus": cpu,
                    "setup_s": time.perf_counter() - start,
                    "facts": raw_facts(),
                }
            )
            for line in sys.stdin:
                cmd = json.loads(line)
                op = cmd.get("op")
                if op == "quit":
                    break
                if op == "warmup":
                    _say(bench.run(seconds=float(cmd["seconds"])))
                elif op == "run":
                    _say(bench.run(units=int(cmd["units"])))
                else:
                    _say({"error": f"unknown command {op!r}"})
        return 0
    except Exception as exc:
        tb = traceback.format_exc(limit=3)
        _say({"error": f"{type(exc).__name__}: {exc}", "traceback": tb})
        return 1


if __name__ == "__main__":
    sys.exit(main())
