"""A running server: its URL, its processes (master, workers) and its log."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import psutil

from estimator import procs
from estimator._model import Model
from estimator.errors import ServerError
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve import logs
from estimator.serve.argv import LaunchSettings, format_host
from estimator.serve.placement import PlacementRecord


class ServerFailure(ServerError):
    """A server that died or never became ready; `log_tail` holds its last log lines."""

    def __init__(self, message: str, log_tail: list[str]) -> None:
        super().__init__(message)
        self.log_tail = log_tail


def failure(what: str, log_path: Path, *, last_line: bool = True) -> ServerFailure:
    """`what` plus the log's telling line (or its last line, if `last_line`)."""
    lines = logs.tail(log_path, 400)  # a server's own traceback can follow the app's
    why = logs.cause(lines)
    if why is None and last_line:
        why = lines[-1].strip() if lines else "the log is empty"
    if why is not None and len(why) > 300:
        why = why[:297] + "..."
    return ServerFailure(f"{what}{f': {why}' if why else ''}; log: {log_path}", lines[-40:])


class ServerLaunch(Model):
    """How a server was started: stored with the run so a result states its inputs."""

    app: str
    config: ServerConfig
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    url: str
    settings: LaunchSettings
    server_versions: dict[str, str]
    placement: PlacementRecord


def _cmdline(pid: int) -> list[str] | None:
    try:
        return psutil.Process(pid).cmdline() or None
    except psutil.Error:
        return None  # gone, or a zombie


class RunningServer:
    """A started server. `serve()` yields it once ready; valid inside that block only."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        app: AppSpec,
        config: ServerConfig,
        *,
        host: str,
        port: int,
        log_path: Path,
    ) -> None:
        self.proc = proc
        self.app = app
        self.config = config
        self.host = host
        self.port = port
        self.url = f"http://{format_host(host)}:{port}"
        self.log_path = log_path
        self.master_pid = proc.pid
        self.launch: ServerLaunch | None = None

    @property
    def label(self) -> str:
        return f"'{self.config.label}' for app '{self.app.name}'"

    @property
    def placement(self) -> PlacementRecord:
        if self.launch is None:  # pragma: no cover - set before serve() yields
            raise ServerError(f"server {self.label} is not ready yet")
        return self.launch.placement

    def worker_pids(self) -> list[int]:
        """The processes that serve requests, now (gunicorn respawns dead workers).

        A child the gunicorn master forks to run a command (PyPy's `platform` runs `uname`
        at boot) looks like a worker until it execs: a list taken at that instant can hold
        one such short-lived PID."""
        if self.proc.poll() is not None:
            return []
        if self.config.kind == "uvicorn" and self.config.workers == 1:
            return [self.master_pid]  # no supervisor: the one process serves
        try:
            children = psutil.Process(self.master_pid).children()
        except psutil.Error:
            return []
        master_cmd = _cmdline(self.master_pid)
        out = []
        for child in children:
            cmd = _cmdline(child.pid)
            if cmd is None:
                continue
            if self.config.kind == "uvicorn":  # spawned; not the resource tracker
                is_worker = "--multiprocessing-fork" in cmd
            else:  # gunicorn forks (and renames them if setproctitle is installed)
                is_worker = cmd == master_cmd or cmd[0].startswith("gunicorn: worker")
            if is_worker:
                out.append(child.pid)
        return sorted(out)

    def all_pids(self) -> list[int]:
        """Master and every live descendant (workers, helpers such as a resource tracker)."""
        if self.proc.poll() is not None:
            return []
        out = [self.master_pid]
        for p in procs.descendants(self.master_pid):
            with contextlib.suppress(psutil.Error):
                if p.status() != psutil.STATUS_ZOMBIE:
                    out.append(p.pid)
        return out

    def log_tail(self, n: int = 20) -> list[str]:
        return logs.tail(self.log_path, n)

    def check_alive(self) -> None:
        """Raise `ServerFailure` (the exit status or signal, and the log's telling line) if
        the server has exited."""
        code = self.proc.poll()
        if code is not None:
            raise failure(f"server {self.label} died ({procs.describe_exit(code)})", self.log_path)
