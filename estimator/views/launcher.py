"""Start the Streamlit dashboard as a child process (`estimator dashboard`, the browser
test): loopback by default, a free port, no usage statistics, headless, the results store
passed in `ESTIMATOR_RESULTS`; ready when Streamlit's health endpoint answers. The process
group is stopped however the caller's block ends (estimator.procs)."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import STDOUT, Popen

from estimator import paths, procs
from estimator.errors import ConfigError, EstimatorError

APP = paths.DASHBOARD_APP
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
READY_TIMEOUT_S = 60.0
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class DashboardError(EstimatorError):
    """The dashboard server could not start or stopped on its own."""


def streamlit_argv(app: Path, host: str, port: int) -> list[str]:
    """`python -m streamlit run` with every option that matters given explicitly: nothing is
    read from a user's ~/.streamlit config that could phone home or open a browser."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--theme.base",
        "light",
    ]


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ConfigError(
                    f"--host {host}: not an address of this machine; use 127.0.0.1"
                ) from None
            return False
    return True


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def choose_port(host: str, requested: int | None) -> int:
    """The requested port (an error if taken), else 8501, else any free port."""
    if requested is not None:
        if not 0 < requested < 65536:
            raise ConfigError(f"--port {requested}: use a TCP port between 1 and 65535")
        if not port_free(host, requested):
            raise ConfigError(
                f"--port {requested}: {host}:{requested} is already in use; pick another port "
                "or leave --port out to use a free one"
            )
        return requested
    return DEFAULT_PORT if port_free(host, DEFAULT_PORT) else free_port(host)


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def check_results(path: Path) -> Path:
    """An absolute path to a file or to nothing yet (the dashboard then says how to measure)."""
    path = path.expanduser().resolve()
    if path.exists() and not path.is_file():
        raise ConfigError(
            f"--results {path}: a directory, not a results file; give the .sqlite file"
        )
    return path


def _tail(log: Path, lines: int = 8) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())


def wait_ready(proc: Popen[bytes], url: str, log: Path, timeout: float = READY_TIMEOUT_S) -> None:
    health = url + "_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise DashboardError(
                f"the dashboard server exited during start-up ({procs.describe_exit(code)}): "
                f"{_tail(log) or 'no output'}; full log: {log}"
            )
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(health, timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise DashboardError(
        f"the dashboard server did not answer {health} within {timeout:g} s; log: {log}"
    )


@dataclass(frozen=True)
class Served:
    url: str
    results: Path
    log: Path
    proc: Popen[bytes]


@contextlib.contextmanager
def serving(
    results: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int | None = None,
    log_dir: Path | None = None,
    app: Path = APP,
    ready_timeout: float = READY_TIMEOUT_S,
) -> Iterator[Served]:
    """Start the dashboard on `results`, wait until it answers, yield; stop it on exit."""
    results = check_results(results)
    chosen = choose_port(host, port)
    log_dir = log_dir if log_dir is not None else paths.data_dir() / "dashboard"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"streamlit-{chosen}.log"
    env = dict(os.environ)
    env["ESTIMATOR_RESULTS"] = str(results)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    url = url_for(host, chosen)
    with (
        log.open("wb") as out,
        procs.running(
            streamlit_argv(app, host, chosen),
            cwd=app.parent,
            env=env,
            stdout=out,
            stderr=STDOUT,
        ) as proc,
    ):
        wait_ready(proc, url, log, ready_timeout)
        yield Served(url=url, results=results, log=log, proc=proc)
