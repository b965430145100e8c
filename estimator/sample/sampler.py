"""The sampler: a thread reading the server's and the load generator's processes at ≥ 5 Hz.

    sampler = Sampler(server_pid=server.pid, generator_pids=gen.pids())
    with sampler:                       # starts the thread; stops it on exit
        phase = gen.run_phase(spec)
    window = sampler.window(phase.started_at, phase.ended_at)
    d = window.cpu_seconds_per_request(phase.requests)

Roles: the server's root process is the *master* when it has children (gunicorn, uvicorn
--workers) and every descendant is a *worker*; a root without children (a lone uvicorn) is
itself the worker (`root_is_worker` forces either). Descendants are re-listed every
`discover_every` ticks and as soon as a known worker is gone, so respawned workers are picked
up. Generator processes are read for CPU only.

Per tick and process: CPU user/system, RSS, threads and context switches (cheap: one
`oneshot()`), and every `memory_every`-th tick USS and PSS (smaps_rollup: dearer). Defaults:
10 Hz, USS/PSS at 5 Hz, descendants at 2 Hz, ≈ 1-2% of one CPU for a handful of processes.
The thread runs in our process, which the orchestrator pins to the generator CPUs, so it
never competes with the server. Clock and process provider are injectable for tests;
`sample_once()` takes one tick synchronously.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

from estimator.sample.cpu import ProcKey, key_of
from estimator.sample.models import ProcessSample, ResourcePoint, ResourceWindow, Role
from estimator.sample.source import ProcessProvider, PsutilProvider
from estimator.sample.ticker import Ticker
from estimator.sample.window import SampleIndex, SamplerError

MIN_HZ = 5.0


class Sampler:
    def __init__(
        self,
        *,
        server_pid: int | None = None,
        generator_pids: Sequence[int] = (),
        interval_s: float = 0.1,
        memory_every: int = 2,
        discover_every: int = 5,
        root_is_worker: bool | None = None,
        clock: Callable[[], float] = time.time,
        provider: ProcessProvider | None = None,
        cpus: Sequence[int] | None = None,
    ) -> None:
        if not 0 < interval_s <= 1.0 / MIN_HZ:
            raise ValueError(f"interval_s = {interval_s}: sample at least {MIN_HZ:g} times/s")
        if memory_every < 1 or discover_every < 1:
            raise ValueError("memory_every and discover_every must be at least 1")
        self.interval_s = interval_s
        self.memory_every = memory_every
        self.discover_every = discover_every
        self.clock = clock
        # the sampling thread runs on `cpus` (not the server's)
        self._ticker = Ticker(self.sample_once, interval_s, name="estimator-sampler", cpus=cpus)
        self.provider: ProcessProvider = provider if provider is not None else PsutilProvider()
        self._lock = threading.Lock()
        self._samples: list[ProcessSample] = []
        self._server_pid = server_pid
        self._root_is_worker = root_is_worker
        self._generators = list(generator_pids)
        self._workers: list[int] = []
        self._tick = 0
        self._rediscover = True

    # -- what to watch -------------------------------------------------------------------

    def watch_server(self, pid: int | None, *, root_is_worker: bool | None = None) -> None:
        with self._lock:
            self._server_pid = pid
            self._root_is_worker = root_is_worker
            self._workers = []
            self._rediscover = True

    def watch_generators(self, pids: Sequence[int]) -> None:
        with self._lock:
            self._generators = list(pids)

    # -- sampling ------------------------------------------------------------------------

    def _roles(self) -> list[tuple[Role, int]]:
        root = self._server_pid
        if root is None:
            workers: list[int] = []
        elif self._rediscover or self._tick % self.discover_every == 0:
            workers = self._workers = self.provider.descendants(root)
            self._rediscover = False
        else:
            workers = self._workers
        roles: list[tuple[Role, int]] = []
        if root is not None:
            lone = self._root_is_worker
            root_role: Role = "worker" if (lone if lone is not None else not workers) else "master"
            roles.append((root_role, root))
        roles.extend(("worker", pid) for pid in workers)
        roles.extend(("generator", pid) for pid in self._generators)
        return roles

    def sample_once(self) -> None:
        """Take one tick now: read every watched process, record what is alive."""
        with self._lock:
            roles = self._roles()
            memory = self._tick % self.memory_every == 0
            self._tick += 1
        now = self.clock()
        taken: list[ProcessSample] = []
        for role, pid in roles:
            r = self.provider.read(pid, memory=memory and role != "generator")
            if r is None:
                if role != "generator":
                    self._rediscover = True  # a worker died: look for its replacement
                continue
            taken.append(
                ProcessSample.model_construct(
                    t=now,
                    pid=pid,
                    role=role,
                    create_time=r.create_time,
                    cpu_user_s=r.cpu_user_s,
                    cpu_system_s=r.cpu_system_s,
                    rss_bytes=r.rss_bytes,
                    uss_bytes=r.uss_bytes,
                    pss_bytes=r.pss_bytes,
                    threads=r.threads,
                    ctx_voluntary=r.ctx_voluntary,
                    ctx_involuntary=r.ctx_involuntary,
                    run_wait_s=r.run_wait_s,
                    cpu_ns=r.cpu_ns,
                )
            )
        with self._lock:
            self._samples.extend(taken)

    @property
    def overruns(self) -> int:
        """Ticks that took longer than the interval (the next one then starts at once)."""
        return self._ticker.overruns

    def start(self) -> None:
        if self._ticker.running:
            raise RuntimeError("the sampler is already running")
        self._ticker.start()

    def stop(self) -> None:
        """Stop the thread (after one last tick) and raise if it failed."""
        if self._ticker.stop() and self._ticker.error is None:
            self.sample_once()  # the window that just ended gets a closing sample
        self._raise_if_failed()

    @property
    def running(self) -> bool:
        return self._ticker.running

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
        else:  # don't mask the original exception
            self._ticker.stop()

    def _raise_if_failed(self) -> None:
        error = self._ticker.error
        if error is not None:
            raise SamplerError(
                f"the resource sampler failed: {type(error).__name__}: {error}"
            ) from error

    # -- results -------------------------------------------------------------------------

    def samples(self, t0: float | None = None, t1: float | None = None) -> list[ProcessSample]:
        """A copy of the samples, optionally only those with t0 <= t <= t1."""
        with self._lock:
            out = list(self._samples)
        return [s for s in out if (t0 is None or s.t >= t0) and (t1 is None or s.t <= t1)]

    def cpu_readings(self, t0: float, t1: float) -> list[tuple[ProcKey, int]]:
        """The server processes' nanosecond CPU readings taken in [t0, t1], for
        `CpuAccount.observe` (processes born or gone inside a window)."""
        return [
            (key_of(s.pid, s.create_time), s.cpu_ns)
            for s in self.samples(t0, t1)
            if s.role != "generator" and s.cpu_ns is not None and s.create_time is not None
        ]

    def window(self, t0: float, t1: float) -> ResourceWindow:
        """Resource use over [t0, t1] (see `ResourceWindow`)."""
        self._raise_if_failed()
        return SampleIndex(self.samples()).window(t0, t1)

    def series(self, t0: float, t1: float, step_s: float = 1.0) -> list[ResourcePoint]:
        """Per-step (default per-second) points over [t0, t1] for the run-detail charts."""
        self._raise_if_failed()
        return SampleIndex(self.samples()).series(t0, t1, step_s)
