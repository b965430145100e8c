"""Run a sample app under a real server on 127.0.0.1, check it over HTTP, load it with
the shipped locustfiles. Every process is started and stopped with `estimator.procs`."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from estimator import procs
from estimator.paths import SAMPLE_APPS_DIR
from tests.sample_apps.apps import sample_module
from tests.sample_apps.html_report import parse_report

READY_TIMEOUT_S = 60.0


def assert_group_gone(pgid: int) -> None:
    """Nothing is left of a process group started by `estimator.procs` (its leader's pid
    is the group id)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return
    raise AssertionError(f"processes of group {pgid} are still running")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn(
    entry: str, port: int, *, worker: str = "sync", workers: int = 2, control_socket: bool = False
) -> list[str]:
    """gunicorn on 127.0.0.1:port. gunicorn >= 24 opens a control socket in ~/.gunicorn
    shared by every instance: off unless asked (older versions lack the option)."""
    argv = ["-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    argv += ["--worker-class", worker, "--graceful-timeout", "5"]
    if worker == "gthread":
        argv += ["--threads", "4"]
    if not control_socket:
        argv += ["--no-control-socket"]
    return [*argv, entry]


def uvicorn(entry: str, port: int, *, workers: int = 1) -> list[str]:
    argv = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
    return [*argv, "--workers", str(workers), "--no-access-log", entry]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def tree(self) -> list[psutil.Process]:
        """The server process and everything it started (master, workers)."""
        return [psutil.Process(self.proc.pid), *procs.descendants(self.proc.pid)]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextlib.contextmanager
def serve(
    server_args: Sequence[str], port: int, db: Path, log: Path, *, python: str = sys.executable
) -> Iterator[Server]:
    """Start `python <server_args>` in sample_apps/ on a fresh database; yield once
    /healthz answers; stop the whole process group however the block ends."""
    env = {
        "PATH": f"{Path(python).parent}:/usr/bin:/bin",
        "SAMPLE_APP_DB": str(db),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    with (
        log.open("wb") as out,
        procs.running(
            [python, *server_args], cwd=SAMPLE_APPS_DIR, env=env, stdout=out, stderr=out
        ) as proc,
    ):
        server = Server(f"http://127.0.0.1:{port}", proc, log)
        _wait_ready(server)
        yield server


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(
                f"server exited ({procs.describe_exit(server.proc.returncode)}):\n"
                + server.log_tail()
            )
        with contextlib.suppress(OSError):
            if fetch("GET", server.url + "/healthz").status == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"no answer on {server.url}/healthz in {READY_TIMEOUT_S} s")


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    location: str | None

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(method: str, url: str, body: Any = None) -> Reply:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return Reply(r.status, r.headers.get_content_type(), r.read(), r.headers["Location"])
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers.get_content_type(), e.read(), e.headers["Location"])


def _error(reply: Reply, status: int, code: str) -> None:
    assert reply.status == status, (reply.status, reply.body[:300])
    assert reply.content_type == "application/json"
    assert reply.json()["error"]["code"] == code, reply.body[:300]


def check_endpoints(url: str) -> None:
    """Every endpoint over HTTP, good and bad inputs: the served app keeps the contract."""
    seed_data = sample_module("common.seed_data")
    workload = sample_module("common.workload")
    assert fetch("GET", url + "/healthz").json() == {"status": "ok"}
    page = fetch("GET", url + "/api/products?limit=3&offset=5").json()
    assert [p["id"] for p in page["items"]] == [6, 7, 8]
    assert page["total"] == seed_data.PRODUCTS
    _error(fetch("GET", url + "/api/products?limit=0"), 400, "invalid_parameter")
    assert fetch("GET", url + "/api/products/7").json()["name"] == seed_data.MARKUP_PRODUCT_NAME
    _error(fetch("GET", url + "/api/products/1001"), 404, "not_found")
    payload = {"customer_id": 5, "items": [{"product_id": 3, "quantity": 2}]}
    created = fetch("POST", url + "/api/orders", payload)
    assert created.status == 201, created.body[:300]
    assert created.location is not None
    assert fetch("GET", url + created.location).json() == created.json()
    _error(fetch("POST", url + "/api/orders", {"customer_id": 5}), 422, "invalid_body")
    assert fetch("GET", url + "/api/orders/1").json()["id"] == 1
    report = fetch("GET", url + "/report")
    assert report.status == 200
    assert report.content_type == "text/html"
    rows = parse_report(report.body.decode()).rows
    assert len(rows) == 50
    assert rows[0][2] == seed_data.MARKUP_PRODUCT_NAME
    assert b"<script>" not in report.body
    assert fetch("GET", url + "/compute?size=500").json() == workload.run(500)
    _error(fetch("GET", url + "/compute?size=0"), 400, "invalid_parameter")
    assert fetch("GET", url + "/upstream?ms=20").json() == {"waited_ms": 20}
    _error(fetch("GET", url + "/upstream?ms=5000"), 400, "invalid_parameter")
    _error(fetch("GET", url + "/nope"), 404, "not_found")
    _error(fetch("DELETE", url + "/healthz"), 405, "method_not_allowed")


@dataclass
class LoadResult:
    locustfile: Path
    exit_code: int | None
    stats: list[dict[str, Any]]
    stderr: str

    @property
    def requests(self) -> int:
        return sum(int(s["num_requests"]) for s in self.stats)

    @property
    def failures(self) -> int:
        return sum(int(s["num_failures"]) for s in self.stats)


def run_locust(
    locustfiles: Sequence[Path], url: str, *, seconds: int = 3, users: int = 2
) -> list[LoadResult]:
    """Run each locustfile headless against `url`, all at the same time."""
    argv = ["--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s"]
    argv += ["--host", url, "--json", "--only-summary", "--loglevel", "WARNING"]
    argv += ["--stop-timeout", "5"]
    results = []
    with contextlib.ExitStack() as stack:
        running = [
            (
                path,
                stack.enter_context(
                    procs.running(
                        [sys.executable, "-m", "locust", "-f", str(path), *argv],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                ),
            )
            for path in locustfiles
        ]
        for path, proc in running:
            out, err = proc.communicate(timeout=seconds + 60)
            stats = json.loads(out) if out.strip() else []
            results.append(LoadResult(path, proc.returncode, stats, err.decode()[-3000:]))
    for _, proc in running:
        assert_group_gone(proc.pid)
    return results
