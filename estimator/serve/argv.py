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
from estimator.serve.options import check_server_args
from estimator.serve.versions import installed_versions, venv_root, version_tuple


class LaunchSettings(Model):
    """Server settings estimator fixes for every run (recorded with it)."""

    backlog: int = 2048
    keep_alive_s: int = 5
    """the default; a server config's `keep_alive_s` replaces it"""
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


def keep_alive_s(config: ServerConfig) -> int:
    """Seconds an idle kept-alive connection stays open: the config's, else the launcher's."""
    return SETTINGS.keep_alive_s if config.keep_alive_s is None else config.keep_alive_s


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
    """The server's argv (no shell): the settings estimator fixes, then the config's extra
    arguments (allow-listed, see `serve.options`: they may change those settings), then what
    the launcher owns (the connection settings keep-alive and reuse-port, bind address,
    workers, worker class…) last, so nothing overrides it."""
    try:
        entry = app.entry_for(config.interface)
    except ValueError:
        raise ConfigError(
            f"server kind '{config.kind}' needs an {config.interface} entry point but app "
            f"'{app.name}' has only {'/'.join(sorted(app.interfaces))}; set "
            f"'{config.interface}' on the app or pick another kind"
        ) from None
    extra = check_server_args(config.kind, config.extra_args)
    versions = _server_versions(python, config)
    s = SETTINGS
    if config.kind == "uvicorn":
        factory = entry.endswith("()")
        argv = [str(python), "-m", "uvicorn", entry.removesuffix("()")]
        argv += ["--backlog", str(s.backlog)]
        argv += ["--timeout-graceful-shutdown", str(s.graceful_timeout_s)]
        argv += ["--log-level", s.log_level, "--no-access-log", *extra]
        argv += ["--timeout-keep-alive", str(keep_alive_s(config))]
        argv += ["--host", host, "--port", str(port), "--workers", str(config.workers)]
        if factory:
            argv.append("--factory")
        return argv
    argv = [str(python), "-m", "gunicorn"]
    argv += ["--backlog", str(s.backlog)]
    argv += ["--timeout", str(s.worker_timeout_s), "--graceful-timeout", str(s.graceful_timeout_s)]
    argv += ["--log-level", s.log_level, *extra]  # no --access-logfile: off
    argv += ["--keep-alive", str(keep_alive_s(config))]
    if config.reuse_port:
        argv.append("--reuse-port")
    argv += ["--error-logfile", "-", "--bind", f"{format_host(host)}:{port}"]
    argv += ["--workers", str(config.workers)]
    if config.kind == "gunicorn-uvicorn":
        argv += ["--worker-class", UVICORN_WORKER, "--pythonpath", str(SHIM_DIR)]
    else:
        argv += ["--worker-class", _GUNICORN_WORKER[config.kind]]
    if config.kind == "gunicorn-gthread":
        argv += ["--threads", str(config.threads_per_worker)]
    if version_tuple(versions["gunicorn"]) >= CONTROL_SOCKET_SINCE:
        argv.append("--no-control-socket")
    if config.preload:
        argv.append("--preload")
    return [*argv, entry]
