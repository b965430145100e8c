"""Waiting for a started server: its health path answers 2xx and all its workers are up.

Fails fast when the server exits, or when a uvicorn worker dies before the server is ready
(uvicorn --workers respawns workers that fail to import the app, forever; gunicorn halts)."""

from __future__ import annotations

import http.client
import time
from concurrent.futures import Future, ThreadPoolExecutor

from estimator import procs
from estimator.serve.running import RunningServer, failure

POLL_S = 0.05
PROBE_TIMEOUT_S = 2.0


class PortTaken(Exception):
    """The server could not bind its port (someone took it after we chose it)."""


def probe(host: str, port: int, path: str, timeout: float) -> int | str:
    """The status of GET path, or why there was none."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except ConnectionRefusedError:
        return "connection refused"
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        conn.close()


def _answered(status: int | str) -> bool:
    return isinstance(status, int) and 200 <= status < 300


def wait_ready(server: RunningServer, timeout: float) -> None:
    """Return once ready; raise `ServerFailure` (or `PortTaken`) otherwise. Probes run in a
    helper thread so the process checks keep their pace while a probe waits."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="estimator-ready-probe")
    try:
        _wait(server, timeout, pool)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _wait(server: RunningServer, timeout: float, pool: ThreadPoolExecutor) -> None:
    deadline = time.monotonic() + timeout
    path = server.app.health_path
    last: int | str = "no answer yet"
    pending: Future[int | str] | None = None
    seen: set[int] = set()
    while True:
        code = server.proc.poll()
        if code is not None:
            if any("already in use" in ln.lower() for ln in server.log_tail(40)):
                raise PortTaken
            raise failure(
                f"server {server.label} exited ({procs.describe_exit(code)}) before "
                f"answering {path}",
                server.log_path,
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise failure(
                f"server {server.label} did not answer 2xx on {server.url}{path} within "
                f"{timeout:g} s (last: {last}); raise ready_timeout if it is just slow",
                server.log_path,
                last_line=False,
            )
        if pending is not None and pending.done():
            last, pending = pending.result(), None
        if not _answered(last) and pending is None:
            args = (server.host, server.port, path, min(PROBE_TIMEOUT_S, remaining))
            pending = pool.submit(probe, *args)
        workers = server.worker_pids()
        if _answered(last) and len(workers) >= server.config.workers:
            return
        if server.config.kind == "uvicorn":  # gunicorn halts by itself if a worker can't boot
            seen.update(workers)
        if len(seen) > server.config.workers:  # one was replaced: it died while starting
            raise failure(
                f"server {server.label} lost {len(seen) - len(workers)} worker(s) while "
                f"starting, before answering {path}",
                server.log_path,
            )
        time.sleep(POLL_S)
