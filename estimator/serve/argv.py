"""The command line of a server config: gunicorn (sync, gthread, uvicorn workers) or uvicorn,
run as `python -m …` from the environment so the interpreter is the one asked for.

Settings that change what is measured are set explicitly, the same for every kind
(`SETTINGS`), instead of trusting each server's defaults: listen backlog, keep-alive, worker
timeout, graceful stop; access logs off (we measure the app, not its logging).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from estimator._model import Model
from estimator.errors import ConfigError, ProvisionError
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve.versions import installed_versions, venv_root, version_tuple


class LaunchSettings(Model):
    """Server settings estimator fixes for every run (recorded with it)."""

    backlog: int = 2048
    keep_alive_s: int = 5
    worker_timeout_s: int = 30
    graceful_timeout_s: int = 2
    access_log: bool = False
    log_level: str = "info"


SETTINGS = LaunchSettings()

SHIM_DIR = Path(__file__).resolve().parent / "_shim"
"""Holds `estimator_uvicorn_worker`: uvicorn-worker's UvicornWorker with the access log off
(its documented way to change uvicorn settings)."""
UVICORN_WORKER = "estimator_uvicorn_worker.UvicornWorker"
CONTROL_SOCKET_SINCE = (25, 1)
"""gunicorn 25.1 opens a control socket under $HOME by default; shared by every server we
start, so we turn it off."""

_GUNICORN_WORKER = {"gunicorn-sync": "sync", "gunicorn-gthread": "gthread"}

# Options the launcher owns: setting them in extra_args would break readiness, PIDs or
# placement, or contradict the config (which is what the results are keyed by).
_GUNICORN_OWNED = {
    "-b": "bind address (host/port)",
    "--bind": "bind address (host/port)",
    "-w": "worker count (workers)",
    "--workers": "worker count (workers)",
    "-k": "worker class (kind)",
    "--worker-class": "worker class (kind)",
    "--threads": "thread count (threads)",
    "--preload": "preload flag (preload)",
    "-D": "daemon mode (the launcher must own the process)",
    "--daemon": "daemon mode (the launcher must own the process)",
    "--reload": "reloader (it restarts workers behind the launcher's back)",
    "--chdir": "working directory (the app's directory)",
}
_UVICORN_OWNED = {
    "--host": "bind address (host)",
    "--port": "bind address (port)",
    "--uds": "bind address (host/port)",
    "--fd": "bind address (host/port)",
    "--workers": "worker count (workers)",
    "--reload": "reloader (it restarts workers behind the launcher's back)",
    "--factory": "app factory flag (write the entry point as 'module:create_app()')",
}


def _owned(arg: str, table: dict[str, str]) -> str | None:
    for flag, what in table.items():
        if arg == flag or arg.startswith(flag + "="):
            return what
        if len(flag) == 2 and arg.startswith(flag) and not arg.startswith("--"):
            return what  # -w4
    return None


def _check_extra_args(config: ServerConfig) -> None:
    table = _UVICORN_OWNED if config.kind == "uvicorn" else _GUNICORN_OWNED
    for arg in config.extra_args:
        what = _owned(arg, table)
        if what is not None:
            raise ConfigError(
                f"extra_args {config.extra_args}: '{arg}' sets the {what}, which the launcher "
                "manages; use the server config's fields (or host/port) instead"
            )


def format_host(host: str) -> str:
    """'::1' → '[::1]' (for a URL or a gunicorn bind)."""
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def _server_versions(python: Path, config: ServerConfig) -> dict[str, str]:
    names = ["uvicorn"] if config.kind == "uvicorn" else ["gunicorn"]
    if config.kind == "gunicorn-uvicorn":
        names += ["uvicorn", "uvicorn-worker"]
    found = installed_versions(python, names)
    missing = [n for n in names if n not in found]
    if missing:
        where = venv_root(python) or python
        raise ProvisionError(
            f"server kind '{config.kind}' needs {', '.join(missing)}, not installed in {where}; "
            "install server_requirements() into that environment"
        )
    return found


def build_argv(python: Path, app: AppSpec, config: ServerConfig, host: str, port: int) -> list[str]:
    """The server's argv (no shell). Extra arguments come last, so they can override the
    settings estimator fixes (not the ones it owns: see `_GUNICORN_OWNED`)."""
    try:
        entry = app.entry_for(config.interface)
    except ValueError:
        raise ConfigError(
            f"server kind '{config.kind}' needs an {config.interface} entry point but app "
            f"'{app.name}' has only {'/'.join(sorted(app.interfaces))}; set "
            f"'{config.interface}' on the app or pick another kind"
        ) from None
    _check_extra_args(config)
    versions = _server_versions(python, config)
    s = SETTINGS
    if config.kind == "uvicorn":
        factory = entry.endswith("()")
        argv = [str(python), "-m", "uvicorn", entry.removesuffix("()")]
        argv += ["--host", host, "--port", str(port), "--workers", str(config.workers)]
        argv += ["--backlog", str(s.backlog), "--timeout-keep-alive", str(s.keep_alive_s)]
        argv += ["--timeout-graceful-shutdown", str(s.graceful_timeout_s)]
        argv += ["--log-level", s.log_level, "--no-access-log"]
        if factory:
            argv.append("--factory")
        return [*argv, *config.extra_args]
    argv = [str(python), "-m", "gunicorn", "--bind", f"{format_host(host)}:{port}"]
    argv += ["--workers", str(config.workers)]
    if config.kind == "gunicorn-uvicorn":
        argv += ["--worker-class", UVICORN_WORKER, "--pythonpath", str(SHIM_DIR)]
    else:
        argv += ["--worker-class", _GUNICORN_WORKER[config.kind]]
    if config.kind == "gunicorn-gthread":
        argv += ["--threads", str(config.threads_per_worker)]
    argv += ["--backlog", str(s.backlog), "--keep-alive", str(s.keep_alive_s)]
    argv += ["--timeout", str(s.worker_timeout_s), "--graceful-timeout", str(s.graceful_timeout_s)]
    argv += ["--log-level", s.log_level, "--error-logfile", "-"]  # no --access-logfile: off
    if version_tuple(versions["gunicorn"]) >= CONTROL_SOCKET_SINCE:
        argv.append("--no-control-socket")
    if config.preload:
        argv.append("--preload")
    return [*argv, entry, *config.extra_args]
