"""The load generator: driver processes running locust, and the phases they run together.

    with load_generator(locustfile, "http://127.0.0.1:8000", cpus=[0], run_dir=d) as gen:
        sampler.watch_generators(gen.pids())
        warm = gen.run_phase(PhaseSpec(name="warmup-1", kind="warmup", duration_s=1))
        step = gen.run_phase(PhaseSpec(name="step-1", kind="step", duration_s=3, rate=800))

One driver process (`python -m estimator.load.driver`, see there) per generator process,
pinned round-robin to `cpus` (default: one process per CPU; `processes` can ask for more, our
equivalent of `locust --processes`). Each phase is sent to every driver with the same
`start_at` a moment in the future and the users and rate split between them; their raw data
is merged into one `PhaseLoad`. Locust's own output goes to `run_dir/locust-<i>.log`.

Every driver started is stopped by process group (`estimator.procs.stop`) however the block
ends. Load goes only to loopback hosts unless `allow_remote=True`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from estimator import procs
from estimator.errors import ConfigError, LoadError
from estimator.load.hosts import check_host
from estimator.load.merge import merge_phase
from estimator.load.models import PhaseLoad, PhaseSpec
from estimator.load.pacing import DEFAULT_MAX_USERS, closed_loop_users, split, users_for_rate
from estimator.load.protocol import DriverError, DriverPhase, DriverReady, PhaseCommand
from estimator.redact import child_env

READY_TIMEOUT_S = 60.0
START_MARGIN_S = 0.05
SPAWN_S_PER_USER = 0.001
MAX_LAG_FRACTION = 0.25
REPLY_GRACE_S = 30.0
QUIT_WAIT_S = 2.0


class _DriverProcess:
    """One driver: its process, its log and a line reader on its protocol pipe."""

    def __init__(self, index: int, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        self.index = index
        self.proc = proc
        self.log_path = log_path
        self._buf = b""
        assert proc.stdout is not None
        assert proc.stdin is not None
        self._out = proc.stdout
        self._in: IO[bytes] = proc.stdin

    def send(self, message: dict[str, Any]) -> None:
        try:
            self._in.write(json.dumps(message).encode() + b"\n")
            self._in.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise self._died("while receiving a command") from exc

    def read(self, deadline: float, doing: str) -> dict[str, Any]:
        fd = self._out.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LoadError(
                    f"load driver {self.index} did not answer in time {doing}; see {self.log_path}"
                )
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self._died(doing)
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise LoadError(
                f"load driver {self.index} sent garbage {doing}: {line[:120]!r}; "
                f"see {self.log_path}"
            ) from exc
        if not isinstance(data, dict):
            raise LoadError(f"load driver {self.index} sent {line[:120]!r} {doing}")
        if data.get("event") == "error":
            raise LoadError(DriverError.model_validate(data).message)
        return data

    def _died(self, doing: str) -> LoadError:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return LoadError(
            f"load driver {self.index} stopped {doing} ({procs.describe_exit(code)}); "
            f"last log line: {_last_line(self.log_path)!r}; see {self.log_path}"
        )


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][-300:] if lines else ""


class LoadGenerator:
    """Runs phases on a fixed set of driver processes. Create it with `load_generator()`."""

    def __init__(
        self,
        drivers: Sequence[_DriverProcess],
        *,
        closed_loop_users: int,
        max_users: int,
        keep_alive: bool = True,
    ) -> None:
        self._drivers = list(drivers)
        self.keep_alive = keep_alive
        """False: a new connection per request (else one per simulated user, kept alive)"""
        self.user_classes: list[str] = []  # known once the drivers are ready
        self._ready = False
        self.closed_loop_users = closed_loop_users
        self.max_users = max_users
        self._latency_s: float | None = None
        self._shares = [0] * len(self._drivers)
        self._failed: str | None = None

    @property
    def processes(self) -> int:
        return len(self._drivers)

    def pids(self) -> list[int]:
        """The driver processes' PIDs (to sample the generator's CPU)."""
        return [d.proc.pid for d in self._drivers]

    @property
    def log_paths(self) -> list[Path]:
        return [d.log_path for d in self._drivers]

    def users_for(self, spec: PhaseSpec) -> int:
        """The users a phase gets: its own, else automatic (see `estimator.load.pacing`)."""
        if spec.users is not None:
            return spec.users
        if spec.rate is None:
            return self.closed_loop_users
        return users_for_rate(spec.rate, self._latency_s, max_users=self.max_users)

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Wait until every driver has loaded the locustfile (done by `load_generator` unless
        it was told not to wait, so that the caller can start the server meanwhile)."""
        if self._ready:
            return
        deadline = time.monotonic() + timeout_s
        for d in self._drivers:
            ready = DriverReady.model_validate(d.read(deadline, "while loading the locustfile"))
            self.user_classes = ready.user_classes
        self._ready = True

    def run_phase(self, spec: PhaseSpec) -> PhaseLoad:
        """Run one phase on every driver at once; blocks for about `spec.duration_s`.

        After a `LoadError` the drivers are out of step: the generator refuses further
        phases (leave the `load_generator` block and start a new one)."""
        if self._failed is not None:
            raise LoadError(f"the load generator already failed ({self._failed}); start a new one")
        try:
            self.wait_ready()
            return self._run_phase(spec)
        except LoadError as exc:
            self._failed = exc.message
            raise

    def _run_phase(self, spec: PhaseSpec) -> PhaseLoad:
        users = self.users_for(spec)
        shares = split(users, self.processes)
        added = max(new - old for new, old in zip(shares, self._shares, strict=True))
        start_at = time.time() + START_MARGIN_S + SPAWN_S_PER_USER * max(0, added)
        for driver, share in zip(self._drivers, shares, strict=True):
            rate = spec.rate * share / users if spec.rate is not None and share else None
            cmd = PhaseCommand(
                name=spec.name,
                users=share,
                rate=rate,
                duration=spec.duration_s,
                start_at=start_at,
                arrivals=spec.arrivals,
                seed=None if spec.seed is None else spec.seed * 1009 + driver.index,
                even_tasks=spec.even_tasks,
            )
            driver.send(cmd.model_dump())
        deadline = time.monotonic() + (start_at - time.time()) + spec.duration_s + REPLY_GRACE_S
        parts = []
        for driver in self._drivers:
            data = driver.read(deadline, f"in phase '{spec.name}'")
            try:
                parts.append(DriverPhase.model_validate(data))
            except ValidationError as exc:
                raise LoadError(
                    f"load driver {driver.index} sent an invalid phase result: {exc}"
                ) from exc
        self._shares = shares
        result = merge_phase(spec, parts, started_at=start_at)
        if result.start_lag_s > MAX_LAG_FRACTION * spec.duration_s:
            raise LoadError(
                f"phase '{spec.name}': a load driver started {result.start_lag_s:.2f} s late "
                f"in a {spec.duration_s:g} s phase; the generator CPUs are overloaded: free "
                "them or lengthen the phases"
            )
        if result.latency.p99_ms is not None:
            self._latency_s = result.latency.p99_ms / 1000.0
        return result


def _start_driver(
    index: int,
    cpu: int,
    *,
    python: str,
    locustfile: Path,
    host: str,
    run_dir: Path,
    pass_env: Sequence[str] = (),
    keep_alive: bool = True,
) -> _DriverProcess:
    log_path = run_dir / f"locust-{index}.log"
    env = child_env(pass_env)  # the locustfile is the user's code: no credentials of ours
    argv: list[str | os.PathLike[str]] = [python, "-m", "estimator.load.driver"]
    argv += ["--locustfile", locustfile, "--host", host]
    if not keep_alive:
        argv.append("--connection-close")
    with log_path.open("ab") as log:
        proc = procs.spawn(
            argv,
            cwd=locustfile.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cpus={cpu},
        )
    return _DriverProcess(index, proc, log_path)


def _shutdown(drivers: Sequence[_DriverProcess]) -> None:
    for d in drivers:
        with contextlib.suppress(LoadError, OSError):
            d.send({"cmd": "quit"})
    deadline = time.monotonic() + QUIT_WAIT_S
    for d in drivers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            d.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    for d in drivers:
        procs.stop(d.proc)
        for stream in (d.proc.stdin, d.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


@contextlib.contextmanager
def load_generator(
    locustfile: Path,
    host: str,
    *,
    cpus: Sequence[int],
    run_dir: Path,
    processes: int | None = None,
    allow_remote: bool = False,
    server_slots: int | None = 1,
    max_users: int = DEFAULT_MAX_USERS,
    python: str | os.PathLike[str] = sys.executable,
    wait: bool = True,
    pass_env: Sequence[str] = (),
    keep_alive: bool = True,
) -> Iterator[LoadGenerator]:
    """Start the drivers (one per CPU in `cpus` unless `processes` says otherwise), wait
    until each has loaded the locustfile (`wait=False`: the first phase or `wait_ready()`
    waits, so the caller can start the server while locust imports), yield the generator,
    stop them all on exit.

    `server_slots` (concurrent requests the server can hold; None for async) sizes
    closed-loop phases. Raises `ConfigError` for a bad host or a missing locustfile and
    `LoadError` when a driver can't load it (the message has the file, line and error).
    The drivers get a minimal environment (`estimator.redact.child_env`) plus `pass_env`.
    `keep_alive` False: a new connection per request (`Connection: close` on every one)."""
    host = check_host(host, allow_remote=allow_remote)
    locustfile = Path(locustfile).resolve()
    if not locustfile.is_file():
        raise ConfigError(f"locustfile {locustfile} does not exist; check the path")
    if not cpus:
        raise ConfigError("the load generator needs at least one CPU (generator_cpus)")
    count = processes if processes is not None else len(cpus)
    if count < 1:
        raise ConfigError(f"generator processes = {count}; use at least 1")
    run_dir.mkdir(parents=True, exist_ok=True)
    drivers: list[_DriverProcess] = []
    try:
        for i in range(count):
            drivers.append(
                _start_driver(
                    i,
                    cpus[i % len(cpus)],
                    python=os.fspath(python),
                    locustfile=locustfile,
                    host=host,
                    run_dir=run_dir,
                    pass_env=pass_env,
                    keep_alive=keep_alive,
                )
            )
        gen = LoadGenerator(
            drivers,
            closed_loop_users=closed_loop_users(server_slots, max_users=max_users),
            max_users=max_users,
            keep_alive=keep_alive,
        )
        if wait:
            gen.wait_ready()
        yield gen
    finally:
        _shutdown(drivers)


__all__ = ["LoadGenerator", "load_generator"]
