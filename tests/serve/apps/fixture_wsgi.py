"""A stdlib-only WSGI app for the launcher's tests (runs on any Python >= 3.8 and PyPy)."""

import json
import os
import time
from urllib.parse import parse_qs


def _cpus() -> "list[int]":
    """This process's CPUs (PyPy 3.9 has no os.sched_getaffinity: ask the kernel)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Cpus_allowed_list:"):
                out: list[int] = []
                for part in line.split(":", 1)[1].strip().split(","):
                    lo, _, hi = part.partition("-")
                    out += range(int(lo), int(hi or lo) + 1)
                return out
    return []


def _burn(seconds: float) -> float:
    """Spin on the CPU for `seconds` of wall time; return the CPU time it got."""
    start, cpu0 = time.monotonic(), time.process_time()
    n = 0
    while time.monotonic() - start < seconds:
        n += 1
    return time.process_time() - cpu0


def app(environ, start_response):  # type: ignore[no-untyped-def]
    path = environ.get("PATH_INFO", "/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    body: dict[str, object]
    if path == "/healthz":
        body = {"ok": True}
    elif path == "/pid":
        body = {"pid": os.getpid(), "cpus": _cpus()}
    elif path == "/burn":
        seconds = float(query.get("s", ["1"])[0])
        body = {"pid": os.getpid(), "cpu_s": _burn(seconds), "wall_s": seconds}
    elif path == "/alloc":
        block = bytearray(int(query.get("mb", ["1"])[0]) * 1024 * 1024)
        for i in range(0, len(block), 4096):  # touch every page
            block[i] = 1
        body = {"allocated_mb": len(block) // (1024 * 1024)}
    elif path == "/env":
        body = {"env": dict(os.environ)}
    else:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": "not found"}']
    data = json.dumps(body).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
