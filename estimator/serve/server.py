"""Start a server config pinned to its CPUs, wait until it answers, stop it whatever happens.

`serve()` is a context manager: leaving the block (normally, by an exception, Ctrl-C or a
crash of the server) stops the whole process group (SIGTERM, wait, SIGKILL, reap) and removes
the server's cgroup. While it runs, `RunningServer` knows the master's and the workers' PIDs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import psutil

from estimator import procs
from estimator.errors import ConfigError, ProvisionError, ServerError
from estimator.redact import private_dir, redact_env, scrub, secret_values
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve.argv import SETTINGS, build_argv
from estimator.serve.cgroups import ServerCgroup
from estimator.serve.env import RUN_DIR_VAR, server_env
from estimator.serve.placement import Placement, PlacementRecord, check_cpus
from estimator.serve.ports import check_host, check_port_free, free_port
from estimator.serve.ready import PortTaken, wait_ready
from estimator.serve.running import RunningServer, ServerLaunch, failure
from estimator.serve.versions import installed_versions

STOP_TIMEOUT_S = SETTINGS.graceful_timeout_s + 5.0
_PORT_ATTEMPTS = 3

# Holds the server's first process until it is inside its cgroup, then becomes the server
# (exec: same PID, process group and affinity). Runs on estimator's own interpreter in
# isolated mode; exits without starting anything if estimator goes away first.
_GATE = (
    "import os, sys\n"
    "if os.read(0, 1) != b'1':\n"
    "    sys.exit(70)\n"
    "fd = os.open(os.devnull, os.O_RDONLY)\n"
    "os.dup2(fd, 0)\n"
    "os.close(fd)\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def _start(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    placement: Placement,
    cgroup: ServerCgroup,
    first: bool,
) -> subprocess.Popen[bytes]:
    """Spawn pinned; with a cgroup, through the gate: moved in before it runs any code."""
    cpus = set(placement.server_cpus)
    with log_path.open("wb" if first else "ab") as log:
        if not cgroup.needed:
            return procs.spawn(argv, cwd=cwd, env=env, stdout=log, stderr=log, cpus=cpus)
        gate = [sys.executable, "-I", "-S", "-c", _GATE, *argv]
        proc = procs.spawn(
            gate, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=log, stderr=log, cpus=cpus
        )
    try:
        cgroup.add(proc.pid)
        assert proc.stdin is not None
        proc.stdin.write(b"1")
        proc.stdin.close()
    except BaseException:
        procs.stop(proc, timeout=STOP_TIMEOUT_S)
        raise
    return proc


def _verify_affinity(server: RunningServer, cpus: list[int]) -> list[int]:
    checked = []
    for pid in server.all_pids():
        try:
            actual = sorted(psutil.Process(pid).cpu_affinity())
        except psutil.Error:
            continue  # exited meanwhile
        if actual != cpus:
            raise ServerError(
                f"server {server.label}: process {pid} runs on CPUs {actual}, not on "
                f"server_cpus {cpus}; does the app change its own CPU affinity?"
            )
        checked.append(pid)
    return checked


def _record(placement: Placement, cgroup: ServerCgroup, checked: list[int]) -> PlacementRecord:
    return PlacementRecord(
        server_cpus=placement.server_cpus,
        affinity_verified=bool(checked),
        checked_pids=checked,
        quota_cpus=placement.quota_cpus,
        quota_applied=cgroup.quota_applied,
        quota_mechanism=cgroup.quota_mechanism,
        quota_period_us=cgroup.quota_period_us,
        quota_us=cgroup.quota_us,
        quota_note=cgroup.quota_note,
        memory_limit_mb=placement.memory_limit_mb,
        memory_limit_applied=cgroup.memory_applied,
        memory_note=cgroup.memory_note,
        cgroups=[str(d) for d in cgroup.dirs],
    )


def _check_inputs(python: Path, app: AppSpec, placement: Placement) -> Path:
    if not os.access(python, os.X_OK):
        raise ProvisionError(
            f"interpreter {python} does not exist or is not executable; provision the "
            "environment first"
        )
    cwd = app.directory.resolve()
    if not cwd.is_dir():
        raise ConfigError(
            f"app '{app.name}': directory {app.directory} does not exist; fix 'directory'"
        )
    check_cpus(placement)
    return cwd


@contextlib.contextmanager
def serve(
    python: Path,
    app: AppSpec,
    config: ServerConfig,
    *,
    run_dir: Path,
    placement: Placement,
    extra_env: Mapping[str, str] = {},
    ready_timeout: float = 60.0,
    host: str = "127.0.0.1",
    port: int | None = None,
    allow_remote: bool = False,
) -> Iterator[RunningServer]:
    """Start `app` under `config` with the environment's `python`, pinned per `placement`;
    yield once `app.health_path` answers 2xx and all workers are up; stop it on exit.

    The server's output goes to `run_dir/server.log`, how it was started (argv, environment,
    versions, what placement was applied) to `run_dir/server.json`."""
    check_host(host, allow_remote=allow_remote)
    cwd = _check_inputs(python, app, placement)
    if port is not None:
        check_port_free(host, port)
    run_dir = private_dir(run_dir).resolve()
    log_path = run_dir / "server.log"
    env = server_env(python, app, run_dir, extra_env)
    cgroup = ServerCgroup()
    proc: subprocess.Popen[bytes] | None = None
    try:
        cgroup.setup(placement)
        for attempt in range(_PORT_ATTEMPTS if port is None else 1):
            chosen = port if port is not None else free_port(host)
            argv = build_argv(python, app, config, host, chosen)
            proc = _start(
                argv,
                cwd=cwd,
                env=env,
                log_path=log_path,
                placement=placement,
                cgroup=cgroup,
                first=attempt == 0,
            )
            server = RunningServer(proc, app, config, host=host, port=chosen, log_path=log_path)
            try:
                wait_ready(server, ready_timeout)
                break
            except PortTaken:
                procs.stop(proc, timeout=STOP_TIMEOUT_S)
                proc = None
                if port is not None:
                    raise failure(
                        f"server {server.label} could not listen on {host}:{port}, already "
                        "in use; stop what listens there or leave the port unset",
                        log_path,
                    ) from None
        else:
            raise failure(
                f"server '{config.label}' for app '{app.name}' lost the race for a free port "
                f"{_PORT_ATTEMPTS} times",
                log_path,
            )
        checked = _verify_affinity(server, placement.server_cpus)
        server.launch = ServerLaunch(
            app=app.name,
            config=config,
            argv=argv,
            cwd=cwd,
            env=env,
            url=server.url,
            settings=SETTINGS,
            server_versions=installed_versions(python, ["gunicorn", "uvicorn", "uvicorn-worker"]),
            placement=_record(placement, cgroup, checked),
        )
        _write_private(
            run_dir / "server.json", _shown(server.launch, app).model_dump_json(indent=2)
        )
        yield server
    finally:
        if proc is not None:
            procs.stop(proc, timeout=STOP_TIMEOUT_S)
        # anything of this run that left the process group (a daemonized server) carries
        # the run's marker in its environment
        procs.stop_marked(RUN_DIR_VAR, str(run_dir), timeout=STOP_TIMEOUT_S)
        cgroup.remove()
        _scrub_log(log_path, secret_values(env, app.public_env))


def _shown(launch: ServerLaunch, app: AppSpec) -> ServerLaunch:
    """The launch as recorded in the run directory: environment values redacted."""
    return launch.model_copy(update={"env": redact_env(launch.env, app.public_env)})


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def _scrub_log(path: Path, secrets: list[str]) -> None:
    """The app's secrets cut out of what it printed (its log stays in the run directory)."""
    if not secrets or not path.is_file():
        return
    with contextlib.suppress(OSError):
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        clean = scrub(text, secrets)
        if clean != text:
            path.write_bytes(clean.encode("utf-8", errors="surrogateescape"))
