"""Where the sampler's numbers come from: a `ProcessProvider` (psutil in real life, a fake
in tests) that lists a process's descendants and reads one process's counters."""

from __future__ import annotations

from typing import NamedTuple, Protocol

import psutil

from estimator.sample.cpu import process_clock_ns, schedstat_ns


class ProcessReading(NamedTuple):
    """One process's counters at one moment; uss/pss None when not asked for."""

    create_time: float | None
    cpu_user_s: float
    cpu_system_s: float
    rss_bytes: int
    uss_bytes: int | None
    pss_bytes: int | None
    threads: int
    ctx_voluntary: int
    ctx_involuntary: int
    run_wait_s: float | None = None
    """Cumulative time the main thread was runnable but waiting for a CPU (schedstat)."""
    cpu_ns: int | None = None
    """The process's CPU time in nanoseconds, all threads (`estimator.sample.cpu`)."""


class ProcessProvider(Protocol):
    def descendants(self, pid: int) -> list[int]:
        """PIDs of all live descendants of `pid` ([] when it is gone)."""
        ...

    def read(self, pid: int, *, memory: bool) -> ProcessReading | None:
        """`pid`'s counters (USS/PSS only if `memory`); None when it is gone."""
        ...


def _run_wait(pid: int) -> float | None:
    """Field 2 of /proc/PID/schedstat: ns spent runnable on a run queue (main thread)."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class PsutilProvider:
    """Reads /proc through psutil (plus /proc/PID/schedstat for run-queue waits, where the
    kernel has it). One `oneshot()` per process per tick (stat + status);
    USS/PSS come from /proc/PID/smaps_rollup, which costs more (~0.3 ms for a small process),
    hence `memory` is asked for on some ticks only. Listing descendants scans every process
    on the machine (~2 ms), so the sampler does it only now and then."""

    def __init__(self) -> None:
        self._procs: dict[int, psutil.Process] = {}

    def _proc(self, pid: int) -> psutil.Process:
        proc = self._procs.get(pid)
        if proc is None:
            proc = self._procs[pid] = psutil.Process(pid)
        return proc

    def descendants(self, pid: int) -> list[int]:
        try:
            return [c.pid for c in self._proc(pid).children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            self._procs.pop(pid, None)
            return []

    def read(self, pid: int, *, memory: bool) -> ProcessReading | None:
        try:
            proc = self._proc(pid)
            if not proc.is_running():  # gone, or the PID was reused
                raise psutil.NoSuchProcess(pid)
            with proc.oneshot():
                cpu = proc.cpu_times()
                mem = proc.memory_info()
                threads = proc.num_threads()
                ctx = proc.num_ctx_switches()
                create = proc.create_time()
            uss = pss = None
            if memory:
                full = proc.memory_full_info()
                uss, pss = full.uss, getattr(full, "pss", None)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            self._procs.pop(pid, None)
            return None
        ns = process_clock_ns(pid)
        return ProcessReading(
            cpu_ns=ns if ns is not None else schedstat_ns(pid),
            run_wait_s=_run_wait(pid),
            create_time=create,
            cpu_user_s=cpu.user,
            cpu_system_s=cpu.system,
            rss_bytes=mem.rss,
            uss_bytes=uss,
            pss_bytes=pss,
            threads=threads,
            ctx_voluntary=ctx.voluntary,
            ctx_involuntary=ctx.involuntary,
        )
